import CloudAPI
import Foundation
import Transport

/// `POST /v22.0/{phone-number-id}/messages` to a `vigil cloudapi` child as one business: a
/// marketing template to a user, on a keep-alive connection of the caller's client. Used by the
/// honest business and by the send flood alike.
struct GraphSender: Sendable {
    /// What one POST came to.
    enum Outcome: Sendable, Equatable {
        /// 200: the envelope id inside the answered `wamid`.
        case sent(EnvelopeID)
        /// An error answer: the HTTP status and Graph's error code (0 if none was found).
        case refused(status: Int, code: Int)
        /// No response (connection refused or reset, timeout) or an unreadable one.
        case failed(String)
    }

    let business: CloudAPIChildBusiness
    private let url: HTTPURL
    private let authorization: String

    init(api: SocketAddress, business: CloudAPIChildBusiness) throws(CLIError) {
        do throws(HTTPURLError) {
            url = try HTTPURL(parsing: "http://\(api)/v22.0/\(business.phoneNumberID)/messages")
        } catch {
            throw CLIError("bench: \(error)")
        }
        self.business = business
        authorization = "Bearer " + business.accessToken
    }

    /// The body of a marketing template (`hello_world`, en_US) to `recipient`.
    static func body(to recipient: PhoneNumber) -> [UInt8] {
        Array(#"{"messaging_product":"whatsapp","to":"\#(recipient)","type":"template","template":{"name":"hello_world","language":{"code":"en_US"},"category":"marketing"}}"#.utf8)
    }

    /// Posts a template to `recipient` with `client` and waits for the answer (at most 10 s).
    func send(to recipient: PhoneNumber, with client: HTTPBlockingClient) -> Outcome {
        var headers = HTTPHeaders()
        headers.add(name: "Authorization", value: authorization)
        headers.add(name: "Content-Type", value: "application/json")
        let response: HTTPClientResponse
        do throws(HTTPClientError) {
            response = try client.execute(HTTPClientRequest(method: .post, url: url, headers: headers, body: Self.body(to: recipient), timeout: .seconds(10)))
        } catch {
            return .failed("\(error)")
        }
        guard response.status.code == 200 else {
            return .refused(status: Int(response.status.code), code: HostileRun.integerField("code", in: response.body) ?? 0)
        }
        guard let id = Self.envelopeID(in: response.body) else {
            return .failed("a 200 without a wamid: \(String(decoding: response.body.prefix(200), as: UTF8.self))")
        }
        return .sent(id)
    }

    /// The envelope id of the first `"id":"wamid.…"` in a send's answer.
    static func envelopeID(in body: [UInt8]) -> EnvelopeID? {
        let text = String(decoding: body, as: UTF8.self)
        guard let start = text.range(of: "\"id\":\"wamid.") else { return nil }
        let end = text[start.upperBound...].firstIndex(of: "\"") ?? text.endIndex
        return CloudAPIEndpoint.envelopeID(String(text[text.index(start.upperBound, offsetBy: -6)..<end]))
    }
}
