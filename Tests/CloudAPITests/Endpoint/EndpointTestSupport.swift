import Foundation
import Glibc
@testable import CloudAPI
import Crypto
import Storage
@testable import Transport

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
    private var _dropped = 0
    /// Deliveries its session could not open (e.g. a resend of a message it already opened).
    var dropped: Int { lock.withLock { _dropped } }
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
              let plain = try? party.decrypt(session, from: envelope.sender.e164) else {
            lock.withLock { _dropped += 1 }
            return
        }
        lock.withLock { _received.append((envelope.sender, String(decoding: plain, as: UTF8.self), envelope.id)) }
        link.acknowledge([envelope.id])
    }

    /// The last envelope `send` encrypted (touched on the loop only).
    var lastSent: OutgoingEnvelope?

    /// Sends the last envelope's bytes again under client message id `id` — what a phone's resend
    /// looks like after the relay crashed between delivering it and committing it (on the loop).
    func resendLast(as id: UInt64) {
        guard var envelope = lastSent else { return }
        envelope.clientMessageID = id
        link?.send(envelope) { _ in }
    }

    /// Starts a session with `peer` from its published bundle, then sends `text` (on the loop).
    func send(_ text: String, to peer: PhoneNumber, id: UInt64) {
        let deliver = { [self] in
            guard let envelope = try? party.encrypt(Array(text.utf8), for: peer.e164) else { return }
            let outgoing = OutgoingEnvelope(recipient: peer, clientMessageID: id, kind: .user, ciphertext: envelope.encoded)
            lastSent = outgoing
            link?.send(outgoing) { _ in }
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

/// A running system for an endpoint test: a fresh directory, a relay on 127.0.0.1 (its plug-ins
/// from `plugIns`), the businesses added to the registry, an endpoint on its own loop thread and
/// Alice's phone (+447700900123, prekeys published). ``stop()`` tears it all down.
final class EndpointRig: @unchecked Sendable {
    /// A business to add: its number and, optionally, its webhook.
    struct Business {
        var phone: String
        var webhookURL: String?
        var region: StorageRegion = .eu
    }

    let root: String
    let relay: RelayHost
    let thread: EventLoopThread
    let endpoint = OnLoop<CloudAPIEndpoint>()
    let alice: TestPhone
    /// The businesses as added, in order: account and access token.
    let businesses: [(account: BusinessAccount, token: String)]
    var loop: EventLoop { thread.loop }

    /// Starts everything; `configure` adjusts the endpoint's configuration. Waits until Alice is
    /// registered and every business is connected to the relay.
    init(
        _ name: String, businesses: [Business], webhooks: RecordingWebhooks, clock: any EndpointClock = SystemWallClock(),
        plugIns: @escaping @Sendable () throws -> RelayPlugIns = { .defaults() },
        relayStore: (@Sendable (_ directory: String) throws(RelayError) -> any RelayBatchStore)? = nil,
        configure: (inout EndpointConfiguration) -> Void = { _ in }
    ) throws {
        root = FileManager.default.temporaryDirectory.appendingPathComponent("vigil-\(name)-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: root, withIntermediateDirectories: true)
        let relayConfiguration = RelayConfiguration(
            listenAddress: try SocketAddress(parsing: "127.0.0.1:0"), dataDirectory: root + "/relay", tokenHasher: .sha256)
        if let relayStore {
            let directory = relayConfiguration.dataDirectory
            relay = try RelayHost.start(relayConfiguration, plugIns: plugIns) { () throws(RelayError) in try relayStore(directory) }
        } else {
            relay = try RelayHost.start(relayConfiguration, plugIns: plugIns)
        }
        let masterKey = try MasterKey.loadOrCreate(path: root + "/master.key")
        let registry = try BusinessRegistry(directory: root + "/cloudapi", masterKey: masterKey)
        var added: [(account: BusinessAccount, token: String)] = []
        for business in businesses {
            let result = try registry.add(
                phone: PhoneNumber(business.phone)!, name: business.phone, webhookURL: business.webhookURL,
                verifyToken: business.webhookURL == nil ? nil : webhooks.verifyToken, appSecret: "app-secret-\(business.phone)",
                region: business.region, localStorageDirectory: nil, now: 0)
            added.append((result.account, result.accessToken))
        }
        registry.close()
        self.businesses = added
        var configuration = EndpointConfiguration(relayAddress: relay.address, dataDirectory: root + "/cloudapi")
        configure(&configuration)
        thread = try EventLoopThread(name: "\(name)-test")
        alice = try TestPhone("+447700900123")
        let (endpoint, alice, loop, relayAddress, finalConfiguration) = (endpoint, alice, thread.loop, relay.address, configuration)
        nonisolated(unsafe) let clock = clock  // used only on the loop from here on
        _ = loop.executeAndWait {
            endpoint.value = try! CloudAPIEndpoint(configuration: finalConfiguration, masterKey: masterKey, webhooks: webhooks, on: loop, clock: clock)
            try! alice.start(relay: relayAddress, on: loop)
        }
        let count = businesses.count
        guard eventually(10, { alice.ready && (loop.executeAndWaitValue { endpoint.value?.connectedCount } ?? 0) == count }) else {
            stop()
            throw RigError(description: "Alice or the businesses did not connect to the relay")
        }
    }

    /// `POST …/messages` with `body` as business `index`; waits up to 10 s for the answer.
    func send(_ body: String, as index: Int = 0) -> GraphReply? {
        let reply = OnLoop<GraphReply>()
        let (endpoint, business) = (endpoint, businesses[index])
        _ = loop.executeAndWait {
            endpoint.value?.sendMessage(phoneNumberID: business.account.phoneNumberID, bearer: business.token, body: Array(body.utf8)) {
                reply.value = $0
            }
        }
        _ = eventually { loop.executeAndWaitValue { reply.value } != nil }
        return loop.executeAndWaitValue { reply.value } ?? nil
    }

    /// Stops the endpoint, Alice, the loop and the relay, and removes the directory. Idempotent.
    func stop() {
        let (endpoint, alice) = (endpoint, alice)
        _ = loop.executeAndWait { endpoint.value?.stop(); endpoint.value = nil; alice.link?.close() }
        thread.stopAndJoin()
        relay.stop()
        try? FileManager.default.removeItem(atPath: root)
    }

    struct RigError: Error, CustomStringConvertible { let description: String }
}

/// A relay store that, once armed, fails the first commit queueing an envelope from `sender`
/// (after rolling nothing back: it never reaches the database) — the relay has then delivered
/// that envelope to an online recipient, and closes every connection.
final class FailingRelayStore: RelayBatchStore, @unchecked Sendable {
    let store: RelayStore
    private let armed = LockedValue<PhoneNumber?>(nil)

    init(directory: String) throws(RelayError) {
        store = try RelayStore(directory: directory, tokenHasher: .sha256, checkpointsInline: false)
    }

    /// The next commit that queues an envelope from `sender` fails.
    func failNextSend(from sender: PhoneNumber) { armed.withLock { $0 = sender } }

    func load(envelopeCutoff: Int64, idempotencyCutoff: Int64) throws(RelayError) -> RelaySnapshot {
        try store.load(envelopeCutoff: envelopeCutoff, idempotencyCutoff: idempotencyCutoff)
    }

    func commit(_ writes: [RelayWrite]) throws(StorageError) {
        let fails = armed.withLock { armed -> Bool in
            guard let sender = armed, writes.contains(where: { if case let .enqueue(envelope) = $0 { envelope.sender == sender } else { false } })
            else { return false }
            armed = nil
            return true
        }
        if fails { throw .aborted("injected relay commit failure") }
        try store.commit(writes)
    }

    var checkpointPath: String? { store.checkpointPath }
    func checkpoint() { store.checkpoint() }
    func close() { store.close() }
}
