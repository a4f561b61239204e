import Client
import Crypto
import Foundation
import Testing
import Transport

/// Fixtures shared by the Client tests: numbers, tokens, seeded states, temporary directories and
/// a real relay on 127.0.0.1.
enum Fixture {
    struct BadFixture: Error, CustomStringConvertible {
        let description: String
    }

    static func phone(_ text: String) throws -> PhoneNumber {
        guard let phone = PhoneNumber(text) else { throw BadFixture(description: "not E.164: \(text)") }
        return phone
    }

    static func device(_ raw: UInt32) throws -> DeviceID {
        guard let device = DeviceID(rawValue: raw) else { throw BadFixture(description: "device 0") }
        return device
    }

    static func token(_ seed: UInt8) throws -> RelayToken {
        guard let token = RelayToken(bytes: (0..<32).map { UInt8(truncatingIfNeeded: Int($0) * 7) ^ seed }) else {
            throw BadFixture(description: "token")
        }
        return token
    }

    static func envelopeID(_ value: UInt64) -> EnvelopeID { EnvelopeID(high: 0xE0, low: value) }

    /// A registered-looking state with a seeded party.
    static func state(_ number: String = "+14155550101", seed: UInt64 = 1, seenCapacity: Int = 16) throws -> ClientState {
        ClientState(
            phone: try phone(number), device: try device(1), token: try token(UInt8(truncatingIfNeeded: seed)),
            party: try Party(random: SeededRandom(seed: seed)), nextClientMessageID: 1000 + seed,
            seen: SeenEnvelopes(capacity: seenCapacity))
    }

    /// A fresh directory under the system's temporary directory, removed by `remove()`.
    final class TemporaryDirectory {
        let path: String

        init() throws {
            path = FileManager.default.temporaryDirectory.appendingPathComponent("vigil-client-\(UUID().uuidString)").path
            try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        }

        func file(_ name: String) -> String { path + "/" + name }

        deinit { try? FileManager.default.removeItem(atPath: path) }
    }

    /// Tight timeouts so a broken exchange fails the test quickly.
    static let options = Phone.Options(connectTimeout: .seconds(3), requestTimeout: .seconds(3), preKeyBundleCount: 5)
}

/// A relay on 127.0.0.1 with an ephemeral port and a temporary data directory.
final class TestRelay {
    let directory: Fixture.TemporaryDirectory
    let host: RelayHost

    init() throws {
        directory = try Fixture.TemporaryDirectory()
        host = try RelayHost.start(RelayConfiguration(listenAddress: .loopbackIPv4(port: 0), dataDirectory: directory.file("relay"), tokenHasher: .sha256))
    }

    var address: SocketAddress { host.address }

    /// Envelopes the relay still holds for delivery.
    var queuedCount: Int { host.withServer { $0.queuedCount } ?? -1 }

    /// The relay's counters.
    var statistics: RelayStatistics? { host.withServer { $0.statistics } }

    /// Polls `condition` until it holds or `timeout` passes; returns whether it held.
    func waitUntil(timeout: Duration = .seconds(3), _ condition: () -> Bool) -> Bool {
        let deadline = ContinuousClock.now + timeout
        while !condition() {
            if ContinuousClock.now >= deadline { return false }
            usleep(2_000)
        }
        return true
    }

    deinit { host.stop() }
}

extension Phone {
    /// Waits up to `timeout` for the next message, skipping receipts; `nil` if none came.
    func nextMessage(timeout: Duration = .seconds(3)) throws -> ReceivedMessage? {
        let deadline = ContinuousClock.now + timeout
        while true {
            let remaining = deadline - ContinuousClock.now
            guard remaining > .zero, let event = try receive(timeout: remaining) else { return nil }
            if case let .message(message) = event { return message }
        }
    }

    /// Waits up to `timeout` for the next receipt, skipping other events; `nil` if none came.
    func nextReceipt(timeout: Duration = .seconds(3)) throws -> Receipt? {
        let deadline = ContinuousClock.now + timeout
        while true {
            let remaining = deadline - ContinuousClock.now
            guard remaining > .zero, let event = try receive(timeout: remaining) else { return nil }
            if case let .receipt(receipt) = event { return receipt }
        }
    }
}
