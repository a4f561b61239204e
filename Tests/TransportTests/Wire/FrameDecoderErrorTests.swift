import Testing
@testable import Transport

/// Framing errors stop the decoder at once; frame errors are reported and the next frame decodes.
@Suite struct WireFrameDecoderErrorTests {
    /// Feeds `bytes` then a ping, and expects one recoverable error with `code`, then the ping.
    static func expectRecoverable(
        _ bytes: [UInt8], code: WireErrorCode, requestID: RequestID? = nil, sourceLocation: SourceLocation = #_sourceLocation
    ) -> WireError? {
        var decoder = FrameDecoder()
        decoder.feed(bytes + WireBytes.ping(42, requestID: 5))
        let results = decoder.drain()
        guard results.count == 2, let error = results[0].error else {
            Issue.record("expected an error then the ping, got \(results)", sourceLocation: sourceLocation)
            return nil
        }
        #expect(error.isRecoverable, sourceLocation: sourceLocation)
        #expect(error.code == code, "\(error)", sourceLocation: sourceLocation)
        #expect(error.streamOffset == 0, sourceLocation: sourceLocation)
        if let requestID { #expect(error.requestID == requestID, sourceLocation: sourceLocation) }
        #expect(results[1].frame == DecodedFrame(requestID: 5, frame: .ping(nonce: 42)), sourceLocation: sourceLocation)
        #expect(decoder.isAtFrameBoundary, sourceLocation: sourceLocation)
        return error
    }

    /// Feeds `bytes` and expects an unrecoverable error with `code` and no frame, and that the
    /// decoder then ignores everything.
    static func expectUnrecoverable(
        _ bytes: [UInt8], code: WireErrorCode, sourceLocation: SourceLocation = #_sourceLocation
    ) {
        var decoder = FrameDecoder()
        decoder.feed(bytes)
        let results = decoder.drain()
        guard results.count == 1, let error = results[0].error else {
            Issue.record("expected one error, got \(results)", sourceLocation: sourceLocation)
            return
        }
        #expect(!error.isRecoverable && error.code == code, "\(error)", sourceLocation: sourceLocation)
        #expect(decoder.hasFailed && decoder.bufferedByteCount == 0, sourceLocation: sourceLocation)
        decoder.feed(WireBytes.ping(1))
        #expect(decoder.drain().isEmpty, sourceLocation: sourceLocation)
    }

    // MARK: Framing errors

    @Test func hugeLengthPrefixIsRefusedFromItsFourBytesWithoutAllocating() throws {
        var decoder = FrameDecoder()
        decoder.feed([0xff, 0xff, 0xff, 0xff])
        #expect {
            _ = try decoder.next()
        } throws: { error in
            guard let error = error as? WireError else { return false }
            return error.reason == .frameTooLarge(frameSize: 0xFFFF_FFFF + 4, limit: 262_144)
                && !error.isRecoverable && error.code == .frameTooLarge && error.streamOffset == 0
        }
        #expect(decoder.bufferCapacity < 64)
        decoder.feed([UInt8](repeating: 0, count: 100_000))
        #expect(decoder.bufferCapacity == 0 && decoder.bufferedByteCount == 0)
        #expect(try decoder.next() == nil)
    }

    @Test(arguments: [0x0004_0000 - 3, 0x0100_0000, 0x7fff_ffff] as [UInt32])
    func lengthsAboveTheMaximumAreUnrecoverable(length: UInt32) {
        Self.expectUnrecoverable(WireBytes.u32(length) + [1, 0x42], code: .frameTooLarge)
    }

    @Test func theMaximumIsConfigurableAndExact() throws {
        let phone = WireFixtures.alice
        let header = 10 + 13 + 8 + 2 + 4 // header, phone (+ and 11 digits), id, kind, length
        let encoder = FrameEncoder(maximumFrameSize: 4096)
        let exact = Frame.send(OutgoingEnvelope(recipient: phone, clientMessageID: 1, kind: .user, ciphertext: [UInt8](repeating: 1, count: 1024 - header)))
        var decoder = FrameDecoder(maximumFrameSize: 1024)
        decoder.feed(try encoder.encode(exact))
        #expect(try decoder.next()?.frame == exact)

        let over = Frame.send(OutgoingEnvelope(recipient: phone, clientMessageID: 1, kind: .user, ciphertext: [UInt8](repeating: 1, count: 1025 - header)))
        var small = FrameDecoder(maximumFrameSize: 1024)
        small.feed(try encoder.encode(over).prefix(4))
        #expect(throws: WireError.self) { try small.next() }
        #expect(small.hasFailed)
    }

    @Test(arguments: [0, 1, 5] as [UInt32])
    func lengthsBelowTheHeaderAreUnrecoverable(length: UInt32) {
        Self.expectUnrecoverable(WireBytes.u32(length) + [1, 0x42, 0, 0, 0, 0, 0, 0, 0, 0], code: .badLength)
    }

    @Test(arguments: [0, 2, 0x7f, 0xff] as [UInt8])
    func wrongVersionsAreUnrecoverableFromTheVersionByte(version: UInt8) throws {
        // Only five bytes: the version is judged before the rest of the header arrives.
        Self.expectUnrecoverable(WireBytes.u32(14) + [version], code: .unsupportedVersion)
        Self.expectUnrecoverable(Array(WireBytes.ping(1).prefix(4)) + [version] + Array(WireBytes.ping(1).dropFirst(5)), code: .unsupportedVersion)
    }

    @Test func framingErrorsAfterGoodFramesCarryTheirStreamOffset() {
        var decoder = FrameDecoder()
        decoder.feed(WireBytes.ping(1) + WireBytes.ping(2) + [0, 0, 0, 2])
        let results = decoder.drain()
        #expect(results.count == 3)
        #expect(results.last?.error?.streamOffset == 36)
        #expect(results.last?.error?.reason == .lengthTooShort(length: 2))
    }

    // MARK: Frame errors: the stream stays in sync

    @Test(arguments: [0x00, 0x09, 0x3f, 0x44, 0x7f, 0x80, 0x88, 0xff] as [UInt8])
    func unknownTypesAreSkipped(type: UInt8) {
        let error = Self.expectRecoverable(WireBytes.frame(type: type, requestID: 77, body: [1, 2, 3]), code: .unknownFrameType, requestID: 77)
        #expect(error?.frameType == type)
        #expect(error?.reason == .unknownFrameType(type))
    }

    @Test func unknownTypesBodiesAreSkippedAsTheyArriveWithoutBuffering() throws {
        var decoder = FrameDecoder()
        let body = [UInt8](repeating: 0xee, count: 200_000)
        let frame = WireBytes.frame(type: 0x55, requestID: 8, body: body)
        decoder.feed(frame.prefix(10))
        #expect(throws: WireError.self) { try decoder.next() }
        var start = 10
        while start < frame.count {
            let end = min(frame.count, start + 7000)
            decoder.feed(frame[start..<end])
            #expect(decoder.bufferedByteCount == 0)
            #expect(try decoder.next() == nil)
            start = end
        }
        #expect(decoder.bufferCapacity < 64)
        decoder.feed(WireBytes.ping(9))
        #expect(try decoder.next() == DecodedFrame(requestID: 0, frame: .ping(nonce: 9)))
    }

    @Test func theSkipEndsMidChunkAndTheRestDecodes() throws {
        var decoder = FrameDecoder()
        let frame = WireBytes.frame(type: 0x55, body: [UInt8](repeating: 1, count: 30))
        decoder.feed(frame.prefix(12))
        #expect(throws: WireError.self) { try decoder.next() }
        decoder.feed(frame.dropFirst(12) + WireBytes.ping(3) + WireBytes.ping(4))
        #expect(decoder.drain().compactMap(\.frame) == [DecodedFrame(requestID: 0, frame: .ping(nonce: 3)), DecodedFrame(requestID: 0, frame: .ping(nonce: 4))])
    }

    @Test func bodiesAboveTheirTypesMaximumAreRefusedFromTheHeader() throws {
        // A 9-byte ping body, a 1-byte welcome, a 200 000-byte hello.
        _ = Self.expectRecoverable(WireBytes.frame(type: 0x42, requestID: 3, body: [UInt8](repeating: 0, count: 9)), code: .malformedFrame, requestID: 3)
        _ = Self.expectRecoverable(WireBytes.frame(type: 0x82, body: [0]), code: .malformedFrame)
        var decoder = FrameDecoder()
        decoder.feed(WireBytes.u32(6 + 200_000) + [1, 0x02, 0, 0, 0, 1])
        #expect {
            _ = try decoder.next()
        } throws: { error in
            (error as? WireError)?.reason == .bodyTooLarge(.hello, length: 200_000, limit: 53)
        }
    }

    @Test(arguments: [
        "14155550100", "+04155550100", "+1234567", "+1234567890123456", "+1415555O100", "+1 415555010", "+", "",
    ])
    func invalidPhoneNumbersAreRecoverable(text: String) {
        // In a `send`, whose maximum body leaves room for any phone length byte.
        let body = WireBytes.phone(text) + WireBytes.u64(1) + [1, 0] + WireBytes.u32(1) + [0]
        let error = Self.expectRecoverable(WireBytes.frame(type: 0x05, requestID: 12, body: body), code: .invalidField, requestID: 12)
        #expect(error?.fieldOffset == 10)
        #expect(error?.frameType == FrameType.send.rawValue)
    }

    @Test func aSixteenDigitNumberMakesARegisterBodyTooLargeFromItsHeader() {
        let body = WireBytes.phone("+1234567890123456") + WireBytes.u32(1)
        let error = Self.expectRecoverable(WireBytes.frame(type: 0x01, body: body), code: .malformedFrame)
        #expect(error?.reason == .bodyTooLarge(.register, length: 22, limit: 21))
    }

    @Test func aPhoneLengthPastTheBodyIsMalformed() {
        let body: [UInt8] = [16] + Array("+1415555".utf8)
        _ = Self.expectRecoverable(WireBytes.frame(type: 0x04, body: body), code: .malformedFrame)
    }

    @Test(arguments: [31, 33, 0] as [Int])
    func wrongTokenLengthsAreRecoverable(count: Int) {
        let body = WireBytes.phone("+14155550100") + WireBytes.u32(1) + [UInt8](repeating: 7, count: count)
        _ = Self.expectRecoverable(WireBytes.frame(type: 0x02, body: body), code: .malformedFrame)
        _ = Self.expectRecoverable(WireBytes.frame(type: 0x81, body: [UInt8](repeating: 7, count: count)), code: .malformedFrame)
    }

    @Test func trailingBytesAreRecoverable() {
        let body = WireBytes.phone("+14155550100") + WireBytes.u32(1) + [0]
        let error = Self.expectRecoverable(WireBytes.frame(type: 0x01, body: body), code: .malformedFrame)
        #expect(error?.reason == .trailingBytes(count: 1))
        #expect(error?.fieldOffset == 27)
    }

    /// Each case: a frame type and a body with one invalid value.
    static let invalidBodies: [(String, UInt8, [UInt8])] = {
        let phone = WireBytes.phone("+14155550100")
        let id = [UInt8](repeating: 9, count: 16)
        return [
            ("device 0", 0x01, phone + WireBytes.u32(0)),
            ("bundle count 0", 0x03, [0, 0]),
            ("bundle count 101", 0x03, [0, 101] + [0, 1, 0]),
            ("empty bundle", 0x03, [0, 1, 0, 0]),
            ("bundle 2049", 0x03, [0, 1, 0x08, 0x01]),
            ("user with category", 0x05, phone + WireBytes.u64(1) + [1, 1] + WireBytes.u32(1) + [0]),
            ("business without category", 0x05, phone + WireBytes.u64(1) + [2, 0] + WireBytes.u32(1) + [0]),
            ("business category 5", 0x05, phone + WireBytes.u64(1) + [2, 5] + WireBytes.u32(1) + [0]),
            ("kind 0", 0x05, phone + WireBytes.u64(1) + [0, 0] + WireBytes.u32(1) + [0]),
            ("kind 4", 0x05, phone + WireBytes.u64(1) + [4, 0] + WireBytes.u32(1) + [0]),
            ("empty ciphertext", 0x05, phone + WireBytes.u64(1) + [1, 0] + WireBytes.u32(0)),
            ("ciphertext 4 GiB", 0x05, phone + WireBytes.u64(1) + [1, 0] + WireBytes.u32(.max) + [0]),
            ("ack count 0", 0x06, [0, 0]),
            ("ack count 257", 0x06, [1, 1] + id),
            ("block reason 5", 0x07, phone + [5]),
            ("report reason 0", 0x08, phone + [0, 0]),
            ("report reason 5", 0x08, phone + [5, 0]),
            ("report flag 2", 0x08, phone + [1, 2] + id),
            ("receipt kind 0", 0x40, [0] + phone + [0, 1] + id),
            ("receipt kind 3", 0x40, [3] + phone + [0, 1] + id),
            ("error text 513", 0x41, [0, 1, 0x02, 0x01] + [UInt8](repeating: 0x61, count: 10)),
            ("error text not UTF-8", 0x41, [0, 1, 0, 2, 0xc3, 0x28]),
            ("error text surrogate", 0x41, [0, 1, 0, 3, 0xed, 0xa0, 0x80]),
            ("deliver sender", 0x85, id + WireBytes.phone("+0123456789") + WireBytes.u64(0) + [1, 0] + WireBytes.u32(1) + [0]),
            ("prekey bundle empty", 0x83, phone + [0, 0]),
        ]
    }()

    @Test(arguments: invalidBodies.indices)
    func invalidFieldsAreRecoverable(index: Int) {
        let (name, type, body) = Self.invalidBodies[index]
        let error = Self.expectRecoverable(WireBytes.frame(type: type, requestID: 1000, body: body), code: .invalidField, requestID: 1000)
        #expect(error?.frameType == type, "\(name)")
        guard case .invalidField = error?.reason else {
            Issue.record("\(name): \(String(describing: error))")
            return
        }
    }

    @Test func errorsMidStreamNameTheirFrame() {
        var decoder = FrameDecoder()
        let bad = WireBytes.frame(type: 0x07, requestID: 31, body: WireBytes.phone("+14155550100") + [9])
        decoder.feed(WireBytes.ping(1) + bad + WireBytes.ping(2))
        let results = decoder.drain()
        #expect(results.count == 3)
        let error = results[1].error
        #expect(error?.streamOffset == 18 && error?.requestID == 31 && error?.fieldOffset == 23)
        #expect(error?.description == "invalid block reason: unknown value 9 in block #31 at frame offset 23 (stream offset 18)")
    }
}
