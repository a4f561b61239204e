import Testing
@testable import Transport

/// Tokens, envelope ids, device ids, kinds and error codes.
@Suite struct WireValueTests {
    @Test func tokenRoundTripsItsBytesAndRefusesOtherLengths() throws {
        let bytes = (0..<32).map { UInt8($0 * 7 + 1) }
        let token = try #require(RelayToken(bytes: bytes))
        #expect(token.bytes == bytes)
        #expect(RelayToken(bytes: bytes.dropLast()) == nil)
        #expect(RelayToken(bytes: bytes + [0]) == nil)
        #expect(RelayToken(bytes: []) == nil)
    }

    @Test func tokenEqualityNoticesEveryByteAndBit() throws {
        var random = WireRandom(seed: 11)
        let bytes = random.bytes(32)
        let token = try #require(RelayToken(bytes: bytes))
        #expect(token == (try #require(RelayToken(bytes: bytes))))
        for index in 0..<32 {
            for bit in 0..<8 {
                var other = bytes
                other[index] ^= 1 << bit
                #expect(token != (try #require(RelayToken(bytes: other))), "byte \(index) bit \(bit)")
            }
        }
    }

    @Test func tokenIsNeverPrinted() throws {
        let token = try #require(RelayToken(bytes: [UInt8](repeating: 0xab, count: 32)))
        #expect("\(token)" == "RelayToken(redacted)")
        #expect(String(reflecting: token) == "RelayToken(redacted)")
        #expect(!"\(Frame.registered(token: token))".contains("ab"))
    }

    @Test func envelopeIDRoundTripsAndPrintsHex() throws {
        let bytes = (0..<16).map { UInt8($0) }
        let id = try #require(EnvelopeID(bytes: bytes))
        #expect(id.bytes == bytes)
        #expect(id.high == 0x0001_0203_0405_0607 && id.low == 0x0809_0a0b_0c0d_0e0f)
        #expect("\(id)" == "000102030405060708090a0b0c0d0e0f")
        #expect(EnvelopeID(bytes: bytes.dropLast()) == nil)
        #expect(EnvelopeID(high: 0, low: .max) < EnvelopeID(high: 1, low: 0))
    }

    @Test func deviceZeroIsReserved() {
        #expect(DeviceID(rawValue: 0) == nil)
        #expect(DeviceID(rawValue: 1)?.rawValue == 1)
    }

    @Test func envelopeKindBytesAreCanonical() {
        for kind in 0...255 as ClosedRange<UInt8> {
            for category in 0...255 as ClosedRange<UInt8> {
                guard let value = EnvelopeKind(kind: kind, category: category) else {
                    continue
                }
                #expect(value.kindByte == kind && value.categoryByte == category)
            }
        }
        #expect(EnvelopeKind(kind: 1, category: 0) == .user)
        #expect(EnvelopeKind(kind: 2, category: 1) == .business(.marketing))
        #expect(EnvelopeKind(kind: 2, category: 4) == .business(.service))
        #expect(EnvelopeKind(kind: 3, category: 0) == .control)
        #expect(EnvelopeKind(kind: 1, category: 1) == nil)
        #expect(EnvelopeKind(kind: 2, category: 0) == nil)
        #expect(EnvelopeKind(kind: 2, category: 5) == nil)
        #expect(EnvelopeKind(kind: 0, category: 0) == nil)
        #expect(EnvelopeKind(kind: 4, category: 0) == nil)
    }

    @Test func errorCodesPrintTheirNames() {
        #expect("\(WireErrorCode.invalidField)" == "invalid_field (202)")
        #expect("\(WireErrorCode(rawValue: 777))" == "error 777")
    }

    @Test func frameTypeDirectionsFollowTheNumbering() {
        #expect(FrameType.allCases.count == 19)
        for type in FrameType.allCases {
            switch type {
            case .register, .hello, .publishPreKeys, .fetchPreKeys, .send, .ack, .block, .report:
                #expect(type.direction == .clientToRelay)
            case .receipt, .error, .ping, .pong:
                #expect(type.direction == .both)
            case .registered, .welcome, .preKeyBundle, .accepted, .deliver, .ok, .notice:
                #expect(type.direction == .relayToClient)
            }
        }
    }

    @Test func everyValidFrameFitsTheDefaultMaximum() {
        let largest = FrameType.allCases.map(\.maximumBodyLength).max() ?? 0
        #expect(WireFormat.headerSize + largest == 205_012)
        #expect(WireFormat.headerSize + largest <= WireFormat.defaultMaximumFrameSize)
    }

    @Test func errorTextIsClippedAtAScalarBoundary() {
        let long = String(repeating: "é", count: 300) // 600 UTF-8 bytes
        guard case let .error(_, message) = Frame.makeError(.internalError, message: long) else {
            Issue.record("not an error frame")
            return
        }
        #expect(message.utf8.count == 512)
        #expect(message == String(repeating: "é", count: 256))
        #expect(Frame.makeError(.internalError, message: "short") == .error(code: .internalError, message: "short"))
    }
}
