import Foundation
import Glibc
@testable import CloudAPI
import Crypto
import Transport

/// A webhook receiver stand-in: answers the verification GET by echoing the challenge (when the
/// token matches) and POSTs with `postStatus` (which a test may change), recording every body.
final class RecordingWebhooks: WebhookTransport, @unchecked Sendable {
    private let lock = NSLock()
    private var _posts: [(headers: [(String, String)], body: [UInt8])] = []
    private var _gets: [String] = []
    var postStatus = 200
    let verifyToken: String

    init(verifyToken: String) { self.verifyToken = verifyToken }

    var posts: [(headers: [(String, String)], body: [UInt8])] { lock.withLock { _posts } }
    var gets: [String] { lock.withLock { _gets } }

    func post(url: String, headers: [(String, String)], body: [UInt8], completion: @escaping (Result<WebhookResponse, WebhookFailure>) -> Void) {
        let status = lock.withLock { () -> Int in
            _posts.append((headers, body))
            return postStatus
        }
        completion(.success(WebhookResponse(status: status, body: [])))
    }

    func get(url: String, completion: @escaping (Result<WebhookResponse, WebhookFailure>) -> Void) {
        lock.withLock { _gets.append(url) }
        let query = url.split(separator: "?", maxSplits: 1).last.map(String.init) ?? ""
        var parameters: [String: String] = [:]
        for pair in query.split(separator: "&") {
            let parts = pair.split(separator: "=", maxSplits: 1).map(String.init)
            if parts.count == 2 { parameters[parts[0]] = HTTPPercentEncoding.decode(parts[1]) }
        }
        guard parameters["hub.mode"] == "subscribe", parameters["hub.verify_token"] == verifyToken, let challenge = parameters["hub.challenge"] else {
            completion(.success(WebhookResponse(status: 403, body: [])))
            return
        }
        completion(.success(WebhookResponse(status: 200, body: Array(challenge.utf8))))
    }

    /// The JSON objects POSTed so far.
    func objects() -> [[String: Any]] {
        posts.compactMap { try? JSONSerialization.jsonObject(with: Data($0.body)) as? [String: Any] }
    }
}

/// A user's phone built from the protocol party and a relay link (the Client module's job,
/// reduced to what these tests need).
final class TestPhone: RelayLinkDelegate, @unchecked Sendable {
    let number: PhoneNumber
    var party: Party
    var link: RelayLink?
    private let lock = NSLock()
    private var _received: [(from: PhoneNumber, text: String, id: EnvelopeID)] = []
    private var _ready = false
    var received: [(from: PhoneNumber, text: String, id: EnvelopeID)] { lock.withLock { _received } }
    var ready: Bool { lock.withLock { _ready } }

    init(_ number: String) throws {
        self.number = PhoneNumber(number)!
        party = try Party()
    }

    /// Registers and publishes one bundle (call on the loop).
    func start(relay: SocketAddress, on loop: EventLoop) throws {
        link = try RelayLink(connectingTo: relay, on: loop, credentials: .register(number, DeviceID(rawValue: 1)!), delegate: self)
        let bundle = try party.makeBundle(signedPreKeyID: 1, oneTimePreKeyID: nil).encoded
        link?.publishPreKeys([bundle]) { _ in }
    }

    func linkDidBecomeReady(_ link: RelayLink) { lock.withLock { _ready = true } }

    func link(_ link: RelayLink, didReceive envelope: DeliveredEnvelope) {
        guard let session = try? SessionEnvelope(encoded: envelope.ciphertext),
              let plain = try? party.decrypt(session, from: envelope.sender.e164) else { return }
        lock.withLock { _received.append((envelope.sender, String(decoding: plain, as: UTF8.self), envelope.id)) }
        link.acknowledge([envelope.id])
    }

    /// Starts a session with `peer` from its published bundle, then sends `text` (on the loop).
    func send(_ text: String, to peer: PhoneNumber, id: UInt64) {
        let deliver = { [self] in
            guard let envelope = try? party.encrypt(Array(text.utf8), for: peer.e164) else { return }
            link?.send(OutgoingEnvelope(recipient: peer, clientMessageID: id, kind: .user, ciphertext: envelope.encoded)) { _ in }
        }
        if party.conversations[peer.e164] != nil { return deliver() }
        link?.fetchPreKeys(of: peer) { [self] result in
            guard case let .success(bytes) = result, let bundle = try? PreKeyBundle(encoded: bytes) else { return }
            try? party.initiate(with: peer.e164, bundle: bundle)
            deliver()
        }
    }
}

/// A settable clock.
final class TestClock: EndpointClock, @unchecked Sendable {
    private let lock = NSLock()
    private var value: Int64
    init(_ value: Int64) { self.value = value }
    func now() -> Int64 { lock.withLock { value } }
    func advance(_ milliseconds: Int64) { lock.withLock { value += milliseconds } }
}

/// A value confined to a loop, reachable from the test thread through `executeAndWait`.
final class OnLoop<Value>: @unchecked Sendable {
    var value: Value?
}

/// Polls `condition` every 5 ms for up to `seconds`.
func eventually(_ seconds: Double = 10, _ condition: () -> Bool) -> Bool {
    let deadline = Date().addingTimeInterval(seconds)
    while Date() < deadline {
        if condition() { return true }
        usleep(5_000)
    }
    return condition()
}
