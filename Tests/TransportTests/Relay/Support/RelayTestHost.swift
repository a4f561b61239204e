import Foundation
import Testing
@testable import Transport

/// An in-process relay (``RelayHost``) on 127.0.0.1, ephemeral port, over a fresh temporary
/// directory that is removed with the fixture. ``restart()`` stops it cleanly and starts a new
/// relay on the same data directory (on a new port).
final class RelayTestHost {
    /// The temporary directory holding `data/` (the relay's) and `tap.jsonl` (if tapped).
    let base: String
    /// The relay's data directory.
    let dataDirectory: String
    /// The tap file, when the relay was started with a JSONL tap.
    let tapPath: String?
    private let authenticationTimeout: Duration
    private(set) var host: RelayHost
    private var nextNumber: UInt64 = 0

    init(authenticationTimeout: Duration = .seconds(10), tap: Bool = false) throws {
        base = FileManager.default.temporaryDirectory.appendingPathComponent("vigil-relay-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: base, withIntermediateDirectories: true)
        dataDirectory = base + "/data"
        tapPath = tap ? base + "/tap.jsonl" : nil
        self.authenticationTimeout = authenticationTimeout
        host = try Self.start(dataDirectory: dataDirectory, tapPath: tapPath, authenticationTimeout: authenticationTimeout)
    }

    deinit {
        host.stop()
        try? FileManager.default.removeItem(atPath: base)
    }

    private static func start(dataDirectory: String, tapPath: String?, authenticationTimeout: Duration) throws -> RelayHost {
        let configuration = RelayConfiguration(
            listenAddress: .loopbackIPv4(), dataDirectory: dataDirectory, tokenHasher: .testing, authenticationTimeout: authenticationTimeout,
            shutdownGrace: .milliseconds(500)
        )
        return try RelayHost.start(configuration) {
            guard let tapPath else { return .defaults() }
            return RelayPlugIns(sink: try JSONLTapSink(path: tapPath))
        }
    }

    /// The relay's bound address.
    var address: SocketAddress { host.address }

    /// Stops the relay (501 to every client, final commit) and starts a new one on the same data.
    func restart() throws {
        host.stop()
        host = try Self.start(dataDirectory: dataDirectory, tapPath: tapPath, authenticationTimeout: authenticationTimeout)
    }

    /// Stops the relay (idempotent; the fixture must not be used for connections afterwards).
    func stop() { host.stop() }

    /// The core's counters.
    var statistics: RelayStatistics? { host.withServer { $0.statistics } }
    /// Envelopes waiting for an acknowledgement.
    var queuedCount: Int? { host.withServer { $0.queuedCount } }
    /// Open connections.
    var connectionCount: Int? { host.withServer { $0.connectionCount } }

    /// Polls `condition` on the relay's loop every millisecond until it holds or `timeout` passes.
    func waitUntil(timeout: Duration = .seconds(5), _ condition: @escaping @Sendable (RelayServer) -> Bool) -> Bool {
        SystemTestSupport.waitUntil(timeout: timeout) { host.withServer(condition) ?? false }
    }

    /// A phone number not used before on this relay.
    func makePhone() -> PhoneNumber {
        nextNumber += 1
        return Self.phone(nextNumber)
    }

    /// `+1 555 0100 000` plus `n`.
    static func phone(_ n: UInt64) -> PhoneNumber {
        guard let phone = PhoneNumber(digits: 1_555_0100_000 + n) else { preconditionFailure("phone \(n)") }
        return phone
    }

    /// Device 1.
    static let device = DeviceID(rawValue: 1)!

    /// A newly connected and registered client, with its number and token.
    func registeredClient() throws -> (client: RelayTestClient, phone: PhoneNumber, token: RelayToken) {
        let client = try RelayTestClient(address)
        let phone = makePhone()
        let token = try client.register(phone, device: Self.device)
        return (client, phone, token)
    }

    /// Proves the relay still serves: two fresh clients register and exchange one envelope each
    /// way, with ids, senders and bytes checked, acknowledged, and nothing else in between.
    func expectHonestExchange(sourceLocation: SourceLocation = #_sourceLocation) throws {
        let (alice, alicePhone, _) = try registeredClient()
        let (bob, bobPhone, _) = try registeredClient()
        let toBob = SystemTestSupport.bytes(count: 300, seed: alicePhone.digits)
        let toAlice = SystemTestSupport.bytes(count: 40, seed: bobPhone.digits)
        let sent = try alice.sendAccepted(to: bobPhone, clientMessageID: 1, ciphertext: toBob)
        let received = try bob.deliveries(1)
        #expect(received.map(\.id) == [sent.id], sourceLocation: sourceLocation)
        #expect(received.first?.sender == alicePhone, sourceLocation: sourceLocation)
        #expect(received.first?.ciphertext == toBob, sourceLocation: sourceLocation)
        try bob.acknowledge([sent.id])
        let reply = try bob.sendAccepted(to: alicePhone, clientMessageID: 1, ciphertext: toAlice)
        let back = try alice.deliveries(1)
        #expect(back.map(\.id) == [reply.id], sourceLocation: sourceLocation)
        #expect(back.first?.ciphertext == toAlice, sourceLocation: sourceLocation)
        try alice.acknowledge([reply.id])
        #expect(try alice.framesBeforePong() == [], sourceLocation: sourceLocation)
        #expect(try bob.framesBeforePong() == [], sourceLocation: sourceLocation)
    }
}
