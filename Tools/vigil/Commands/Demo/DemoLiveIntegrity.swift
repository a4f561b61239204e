import Foundation
import Transport

/// The integrity stage of `vigil demo`: reads each business's signals from the analyzer inside
/// the transport process (`GET /v1/signals/{business}` with its Bearer token) and checks the
/// scenario's ground truth — every abusive business caught, no honest one treated as abusive.
///
/// "Caught" is what an operator or Meta's rules would act on: a critical alert, a RED rating, or
/// a restriction (RESTRICTED by its messaging limit, a spam restriction or a policy block).
struct DemoLiveIntegrity: DemoIntegrityStage {
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
            let caught = row.quality == "RED" || restricted
            if business.isAbusive, !caught {
                violations.append("\(business.name) (\(business.role)) was not caught: \(row.quality), \(row.status), \(row.tier)")
            }
            if !business.isAbusive, row.quality == "RED" {
                violations.append("honest \(business.name) (\(business.role)) was rated RED")
            }
        }
        return DemoIntegrityResult(rows: rows, alerts: [], violations: violations)
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
