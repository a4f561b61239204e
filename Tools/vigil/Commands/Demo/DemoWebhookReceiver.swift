import CloudAPI
import Foundation
import Transport

/// A business's webhook endpoint, as the business would run it: answers Meta's GET verification
/// handshake, checks `X-Hub-Signature-256` on every POST with the business's app secret (401 and
/// counted when wrong), and counts the messages and statuses it is told about, once each.
/// Messages go to the business's driver (which answers them) and to the transcript — the
/// business's own plaintext records. Loop-confined.
final class DemoWebhookReceiver {
    /// The business's index.
    let business: Int
    /// Signs webhooks (shared with the Cloud API at registration).
    let appSecret: String
    /// Echoed in the verification handshake.
    let verifyToken: String
    /// What arrived.
    private(set) var counters = DemoWebhookCounters()
    /// Gets each new message: the user's number and the text.
    var onMessage: ((PhoneNumber, String) -> Void)?
    private let transcript: DemoTranscript
    private let canary: [UInt8]
    private var seenMessages: Set<String> = []
    private var seenStatuses: Set<String> = []

    /// A receiver for business `business`.
    init(business: Int, appSecret: String, verifyToken: String, transcript: DemoTranscript, canary: DemoCanary) {
        self.business = business
        self.appSecret = appSecret
        self.verifyToken = verifyToken
        self.transcript = transcript
        self.canary = Array(canary.token.utf8)
    }

    /// The HTTP handler.
    func handle(_ request: HTTPRequest, _ responder: HTTPResponder) {
        switch request.method {
        case .get: responder.respond(verify(request))
        case .post: responder.respond(receive(request))
        default: responder.respond(.text(.methodNotAllowed, "GET or POST\n"))
        }
    }

    /// `GET ?hub.mode=subscribe&hub.challenge=C&hub.verify_token=T` → `C` when T is ours.
    private func verify(_ request: HTTPRequest) -> HTTPResponse {
        guard let query = try? request.queryParameters(), query["hub.mode"] == "subscribe",
              query["hub.verify_token"] == verifyToken, let challenge = query["hub.challenge"]
        else {
            counters.refusedVerifications += 1
            return .text(.forbidden, "verification refused\n")
        }
        counters.verifications += 1
        return .text(.ok, challenge)
    }

    /// A notification: signature first, then its messages and statuses.
    private func receive(_ request: HTTPRequest) -> HTTPResponse {
        counters.posts += 1
        guard let signature = request.headers["X-Hub-Signature-256"],
              let expected = try? WebhookSignature.header(for: request.body, appSecret: appSecret),
              Self.constantTimeEqual(Array(signature.utf8), Array(expected.utf8))
        else {
            counters.badSignatures += 1
            return .text(.unauthorized, "bad signature\n")
        }
        guard let object = try? JSONSerialization.jsonObject(with: Data(request.body)) as? [String: Any],
              let entries = object["entry"] as? [[String: Any]]
        else {
            counters.malformed += 1
            return .text(.badRequest, "not a webhook notification\n")
        }
        for entry in entries {
            for change in entry["changes"] as? [[String: Any]] ?? [] {
                guard let value = change["value"] as? [String: Any] else { continue }
                for message in value["messages"] as? [[String: Any]] ?? [] { received(message: message) }
                for status in value["statuses"] as? [[String: Any]] ?? [] { received(status: status) }
            }
        }
        return .text(.ok, "ok\n")
    }

    private func received(message: [String: Any]) {
        guard let id = message["id"] as? String, let from = message["from"] as? String,
              let user = PhoneNumber("+" + from)
        else {
            counters.malformed += 1
            return
        }
        guard seenMessages.insert(id).inserted else {
            counters.duplicateMessages += 1
            return
        }
        let text = (message["text"] as? [String: Any])?["body"] as? String ?? ""
        counters.messages += 1
        if Array(text.utf8).withUnsafeBytes({ DemoScanner.occurrences(of: canary, in: $0, endingAfter: 0) }) > 0 {
            counters.canaryMessages += 1
        }
        transcript.append("business \(business) ← \(user): \(text)\n")
        onMessage?(user, text)
    }

    private func received(status: [String: Any]) {
        guard let id = status["id"] as? String, let kind = status["status"] as? String else {
            counters.malformed += 1
            return
        }
        guard seenStatuses.insert(id + "#" + kind).inserted else {
            counters.duplicateStatuses += 1
            return
        }
        counters.statuses[kind, default: 0] += 1
    }

    /// Compares without an early exit, so timing does not reveal how much of a forgery matched.
    private static func constantTimeEqual(_ a: [UInt8], _ b: [UInt8]) -> Bool {
        guard a.count == b.count else { return false }
        return zip(a, b).reduce(UInt8(0)) { $0 | ($1.0 ^ $1.1) } == 0
    }
}

/// What one webhook receiver saw.
struct DemoWebhookCounters: Sendable {
    /// Verification handshakes answered.
    var verifications = 0
    /// Handshakes refused (wrong token).
    var refusedVerifications = 0
    /// POSTs received.
    var posts = 0
    /// POSTs refused with 401.
    var badSignatures = 0
    /// Signed POSTs that were not webhook notifications.
    var malformed = 0
    /// Distinct messages from users.
    var messages = 0
    /// Messages whose text carried the canary.
    var canaryMessages = 0
    /// Messages notified again (retries).
    var duplicateMessages = 0
    /// Distinct statuses by kind (`sent`, `delivered`, `read`, `failed`).
    var statuses: [String: Int] = [:]
    /// Statuses notified again.
    var duplicateStatuses = 0

    /// Statuses of every kind.
    var statusCount: Int { statuses.values.reduce(0, +) }
}
