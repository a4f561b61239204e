import Foundation
import Glibc
import Testing
@testable import Transport

/// Records what a link reports, for assertions from the test thread.
final class LinkRecorder: RelayLinkDelegate, @unchecked Sendable {
    private let lock = NSLock()
    private var _token: RelayToken?
    private var _delivered: [DeliveredEnvelope] = []
    private var _receipts: [Receipt] = []
    private var _ready = false
    private var _closed: String?

    var token: RelayToken? { lock.withLock { _token } }
    var delivered: [DeliveredEnvelope] { lock.withLock { _delivered } }
    var receipts: [Receipt] { lock.withLock { _receipts } }
    var ready: Bool { lock.withLock { _ready } }
    var closed: String? { lock.withLock { _closed } }
    /// When set, every delivered envelope is acknowledged at once.
    let autoAck: Bool

    init(autoAck: Bool = true) { self.autoAck = autoAck }

    func link(_ link: RelayLink, didRegisterWith token: RelayToken) { lock.withLock { _token = token } }
    func linkDidBecomeReady(_ link: RelayLink) { lock.withLock { _ready = true } }
    func link(_ link: RelayLink, didReceive envelope: DeliveredEnvelope) {
        lock.withLock { _delivered.append(envelope) }
        if autoAck { link.acknowledge([envelope.id]) }
    }
    func link(_ link: RelayLink, didReceive receipt: Receipt) { lock.withLock { _receipts.append(receipt) } }
    func link(_ link: RelayLink, didCloseWith reason: String) { lock.withLock { _closed = reason } }
}

/// Polls `condition` every 5 ms for up to `seconds`.
func eventually(_ seconds: Double = 5, _ condition: () -> Bool) -> Bool {
    let deadline = Date().addingTimeInterval(seconds)
    while Date() < deadline {
        if condition() { return true }
        usleep(5_000)
    }
    return condition()
}

@Suite("RelayLink against a real relay")
struct RelayLinkTests {
    @Test("register, send, deliver, ack, receipt; a later hello with the token resumes")
    func roundTrip() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("vigil-link-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let relay = try RelayHost.start(RelayConfiguration(listenAddress: try SocketAddress(parsing: "127.0.0.1:0"), dataDirectory: directory, tokenHasher: .testing))
        defer { relay.stop() }
        let thread = try EventLoopThread(name: "link-test")
        defer { thread.stopAndJoin() }
        let loop = thread.loop
        let shop = PhoneNumber("+14155550100")!, user = PhoneNumber("+447700900123")!
        let shopEvents = LinkRecorder(), userEvents = LinkRecorder()
        let address = relay.address

        let links = LoopBoundBox<[RelayLink]>()
        _ = loop.executeAndWait {
            let a = try! RelayLink(connectingTo: address, on: loop, credentials: .register(shop, DeviceID(rawValue: 1)!), delegate: shopEvents)
            let b = try! RelayLink(connectingTo: address, on: loop, credentials: .register(user, DeviceID(rawValue: 7)!), delegate: userEvents)
            links.set([a, b], on: loop)
        }
        #expect(eventually { shopEvents.ready && userEvents.ready })
        #expect(shopEvents.token != nil && userEvents.token != nil)

        let accepted = ResultBox<(EnvelopeID, UInt64)>()
        _ = loop.executeAndWait {
            links.get(on: loop)[0].send(OutgoingEnvelope(recipient: user, clientMessageID: 1, kind: .business(.utility), ciphertext: [1, 2, 3])) {
                accepted.set($0)
            }
        }
        #expect(eventually { accepted.value != nil && userEvents.delivered.count == 1 })
        let envelopeID = try #require(try accepted.value?.get().0)
        #expect(userEvents.delivered.map(\.id) == [envelopeID])
        #expect(userEvents.delivered.first?.ciphertext == [1, 2, 3])
        #expect(userEvents.delivered.first?.sender == shop)
        #expect(eventually { relay.withServer { $0.queuedCount } == 0 })

        _ = loop.executeAndWait {
            links.get(on: loop)[1].sendReceipt(Receipt(kind: .read, counterpart: shop, envelopeIDs: [envelopeID]))
        }
        #expect(eventually { shopEvents.receipts == [Receipt(kind: .read, counterpart: user, envelopeIDs: [envelopeID])] })

        // A refused request reports the relay's code.
        let refused = ResultBox<(EnvelopeID, UInt64)>()
        _ = loop.executeAndWait {
            links.get(on: loop)[0].send(OutgoingEnvelope(recipient: PhoneNumber("+15555550000")!, clientMessageID: 2, kind: .user, ciphertext: [9])) {
                refused.set($0)
            }
        }
        #expect(eventually { refused.value != nil })
        if case let .failure(.refused(code, _))? = refused.value { #expect(code == .unknownRecipient) } else { Issue.record("expected a refusal, got \(String(describing: refused.value))") }

        // Reconnect with hello and the issued token.
        let token = try #require(userEvents.token)
        let again = LinkRecorder()
        _ = loop.executeAndWait {
            links.get(on: loop)[1].close()
            let c = try! RelayLink(connectingTo: address, on: loop, credentials: .hello(user, DeviceID(rawValue: 7)!, token), delegate: again)
            links.set(links.get(on: loop) + [c], on: loop)
        }
        #expect(eventually { again.ready })
        #expect(again.delivered.isEmpty)
        _ = loop.executeAndWait {
            for link in links.get(on: loop) { link.close() }
            links.set([], on: loop)
        }
    }

    @Test("a wrong token closes the link and fails its queued requests")
    func wrongToken() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("vigil-link-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let relay = try RelayHost.start(RelayConfiguration(listenAddress: try SocketAddress(parsing: "127.0.0.1:0"), dataDirectory: directory, tokenHasher: .testing))
        defer { relay.stop() }
        let thread = try EventLoopThread(name: "link-test")
        defer { thread.stopAndJoin() }
        let loop = thread.loop
        let events = LinkRecorder()
        let result = ResultBox<(EnvelopeID, UInt64)>()
        let address = relay.address
        let links = LoopBoundBox<[RelayLink]>()
        _ = loop.executeAndWait {
            let link = try! RelayLink(
                connectingTo: address, on: loop,
                credentials: .hello(PhoneNumber("+14155550100")!, DeviceID(rawValue: 1)!, RelayToken(bytes: [UInt8](repeating: 1, count: 32))!),
                delegate: events)
            link.send(OutgoingEnvelope(recipient: PhoneNumber("+14155550100")!, clientMessageID: 1, kind: .user, ciphertext: [1])) { result.set($0) }
            links.set([link], on: loop)
        }
        #expect(eventually { events.closed != nil && result.value != nil })
        #expect(events.closed?.contains("authentication failed") == true)
        if case .failure(.closed)? = result.value {} else { Issue.record("queued request should fail with .closed, got \(String(describing: result.value))") }
        #expect(!events.ready)
        _ = loop.executeAndWait { links.set([], on: loop) }
    }
}

/// A value owned by a loop but stored from a test.
final class LoopBoundBox<Value>: @unchecked Sendable {
    private var value: Value?
    func set(_ value: Value, on loop: EventLoop) { loop.preconditionConfined(); self.value = value }
    func get(on loop: EventLoop) -> Value { loop.preconditionConfined(); return value! }
}

/// A result delivered on the loop and read from the test thread.
final class ResultBox<Success>: @unchecked Sendable {
    private let lock = NSLock()
    private var _value: Result<Success, RelayLinkError>?
    var value: Result<Success, RelayLinkError>? { lock.withLock { _value } }
    func set(_ value: Result<Success, RelayLinkError>) { lock.withLock { _value = value } }
}
