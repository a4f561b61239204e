@testable import Transport

/// Named values for hand-written tests.
enum WireFixtures {
    static let alice = phone("+14155550100")
    static let bob = phone("+447700900123")
    static let shop = phone("+5511987654321")
    static let device1 = device(1)
    static let device2 = device(2)
    static let token = makeToken(seed: 1)
    static let otherToken = makeToken(seed: 2)
    static let aliceOnDevice1 = ClientIdentity(phone: alice, device: device1)

    static func phone(_ text: String) -> PhoneNumber {
        guard let phone = PhoneNumber(text) else { preconditionFailure("bad fixture \(text)") }
        return phone
    }

    static func makeToken(seed: UInt64) -> RelayToken {
        var random = WireRandom(seed: seed)
        return RelayToken.random(using: &random)
    }

    static func device(_ raw: UInt32) -> DeviceID {
        guard let device = DeviceID(rawValue: raw) else { preconditionFailure("bad fixture \(raw)") }
        return device
    }
}
