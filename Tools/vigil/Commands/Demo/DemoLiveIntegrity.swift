import Foundation
import Transport

/// The integrity stage of `vigil demo`: reads each business's signals from the analyzer inside
/// the transport process (`GET /v1/signals/{business}` with its Bearer token) and checks the
/// scenario's ground truth — every abusive business caught, no honest one treated as abusive.
///
/// "Caught" is what an operator or Meta's rules would act on: a critical alert, a RED rating, or
/// a restriction (RESTRICTED by its messaging limit, a spam restriction or a policy block). An
/// abusive business is expected to be caught once it has left evidence — it reached at least
/// ``evidenceUsers`` users it started conversations with, or drew ``evidenceFeedback`` counted
/// blocks and reports — since below that no rule can tell it from a small honest sender (a
/// 3-second run with 40 users). An honest business must never get a critical alert or a RED.
struct DemoLiveIntegrity: DemoIntegrityStage {
    static let evidenceUsers = 20.0
    static let evidenceFeedback = 3

    func analyze(transport: DemoRelayChild, businesses: [DemoBusinessIdentity]) throws(DemoError) -> DemoIntegrityResult {
        let token: String
        do {
            token = String(decoding: try FileIO.read(transport.tokenPath), as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
        } catch {
            throw DemoError("cannot read the analyzer's token: \(error)")
        }
        let client: HTTPBlockingClient
        do {
            client = try HTTPBlockingClient()
        } catch {
            throw DemoError("HTTP client: \(error)")
        }
        defer { client.close() }
        var rows: [DemoIntegrityRow] = []
        var violations: [String] = []
        // Every alert that fired during the run, not only those still firing: under `--speed` a
        // simulated week passes and most alerts resolve before the end.
        let firing = try fetch("/v1/alerts", from: transport.httpAddress, token: token, client: client)["alerts"] as? [[String: Any]] ?? []
        let alerts = Self.alertsFired(history: Self.alertLog(at: transport.alertsPath), firing: firing, businesses: businesses)
        for business in businesses {
            let signals = try fetch("/v1/signals/\(business.phone)", from: transport.httpAddress, token: token, client: client)
            let row = DemoIntegrityRow(
                quality: signals["quality_rating"] as? String ?? "?", status: signals["status"] as? String ?? "?",
                tier: signals["messaging_limit"] as? String ?? "?",
                businessInitiated24h: Int(((signals["business_initiated_24h"] as? Double) ?? 0).rounded()),
                blockRate: signals["block_rate_7d"] as? Double ?? 0, reportRate: signals["report_rate_7d"] as? Double ?? 0)
            rows.append(row)
            let restricted = row.status == "RESTRICTED" || !(signals["spam_restricted_until"] is NSNull || signals["spam_restricted_until"] == nil)
                || !(signals["policy_blocked_until"] is NSNull || signals["policy_blocked_until"] == nil)
            let critical = alerts.filter { $0.business == business.index && $0.severity == "critical" }
            let caught = !critical.isEmpty || row.quality == "RED" || restricted
            let feedback = (signals["counted_blocks"] as? Int ?? 0) + (signals["counted_reports"] as? Int ?? 0)
            let evidence = (signals["business_initiated_24h"] as? Double ?? 0) >= Self.evidenceUsers || feedback >= Self.evidenceFeedback
            if business.isAbusive, evidence, !caught {
                violations.append("\(business.name) (\(business.role)) was not caught: \(row.quality), \(row.status), \(row.tier), no critical alert")
            }
            if !business.isAbusive, row.quality == "RED" || !critical.isEmpty {
                violations.append("honest \(business.name) (\(business.role)) was treated as abusive: \(row.quality), \(critical.map(\.rule))")
            }
        }
        return DemoIntegrityResult(rows: rows, alerts: alerts, violations: violations)
    }

    /// The objects of the analyzer's alert log (unreadable lines are skipped: the log is the
    /// transport's, and its last line may be half-written while it runs).
    static func alertLog(at path: String) -> [[String: Any]] {
        guard let data = FileManager.default.contents(atPath: path) else { return [] }
        return data.split(separator: UInt8(ascii: "\n")).compactMap {
            (try? JSONSerialization.jsonObject(with: Data($0))) as? [String: Any]
        }
    }

    /// One ``DemoAlert`` per alert (fingerprint) that fired in `history` or is in `firing` (the
    /// live `/v1/alerts`), in order of first firing; `active` for those still firing.
    static func alertsFired(history: [[String: Any]], firing: [[String: Any]], businesses: [DemoBusinessIdentity]) -> [DemoAlert] {
        var order: [String] = []
        var byFingerprint: [String: DemoAlert] = [:]
        let live = Set(firing.compactMap { $0["fingerprint"] as? String })
        for object in history.filter({ $0["status"] as? String == "firing" }) + firing {
            guard let fingerprint = object["fingerprint"] as? String, byFingerprint[fingerprint] == nil,
                  let phone = object["business"] as? String, let business = businesses.first(where: { $0.phone == phone }) else { continue }
            order.append(fingerprint)
            byFingerprint[fingerprint] = DemoAlert(
                business: business.index, severity: object["severity"] as? String ?? "?", rule: object["alertname"] as? String ?? "?",
                reason: object["summary"] as? String ?? "", active: live.contains(fingerprint))
        }
        return order.compactMap { byFingerprint[$0] }
    }

    private func fetch(_ path: String, from address: SocketAddress, token: String, client: HTTPBlockingClient) throws(DemoError) -> [String: Any] {
        do {
            let url = try HTTPURL(parsing: "http://\(address)\(path)")
            var headers = HTTPHeaders()
            headers.add(name: "Authorization", value: "Bearer \(token)")
            let response = try client.execute(HTTPClientRequest(method: .get, url: url, headers: headers, timeout: .seconds(10)))
            guard response.status.code == 200,
                  let object = try JSONSerialization.jsonObject(with: Data(response.body)) as? [String: Any] else {
                throw DemoError("GET \(path): \(response.status.code) \(String(decoding: response.body.prefix(200), as: UTF8.self))")
            }
            return object
        } catch let error as DemoError {
            throw error
        } catch {
            throw DemoError("GET \(path): \(error)")
        }
    }
}
