@testable import Transport

/// Hand-built wire bytes for tests that must bypass the encoder's validation.
enum WireBytes {
    /// Bytes from hex digits (spaces ignored); traps on a malformed literal, which is ours.
    static func hex(_ text: String) -> [UInt8] {
        let digits = text.utf8.filter { $0 != UInt8(ascii: " ") && $0 != UInt8(ascii: "\n") }
        precondition(digits.count % 2 == 0, "odd number of hex digits")
        func nibble(_ c: UInt8) -> UInt8 {
            switch c {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): c - UInt8(ascii: "0")
            case UInt8(ascii: "a")...UInt8(ascii: "f"): c - UInt8(ascii: "a") + 10
            default: preconditionFailure("bad hex digit")
            }
        }
        return stride(from: 0, to: digits.count, by: 2).map { nibble(digits[$0]) << 4 | nibble(digits[$0 + 1]) }
    }

    static func u16(_ value: UInt16) -> [UInt8] { [UInt8(value >> 8), UInt8(value & 0xff)] }

    static func u32(_ value: UInt32) -> [UInt8] { (0..<4).map { UInt8(truncatingIfNeeded: value >> (24 - 8 * $0)) } }

    static func u64(_ value: UInt64) -> [UInt8] { (0..<8).map { UInt8(truncatingIfNeeded: value >> (56 - 8 * $0)) } }

    /// A phone field from raw text, valid or not: `u8 n ‖ n B`.
    static func phone(_ text: String) -> [UInt8] { [UInt8(text.utf8.count)] + Array(text.utf8) }

    /// A frame around `body` with any header values.
    static func frame(type: UInt8, requestID: UInt32 = 0, version: UInt8 = WireFormat.version, body: [UInt8]) -> [UInt8] {
        u32(UInt32(6 + body.count)) + [version, type] + u32(requestID) + body
    }

    /// A valid ping, used as "the next frame" after an error.
    static func ping(_ nonce: UInt64, requestID: UInt32 = 0) -> [UInt8] {
        frame(type: FrameType.ping.rawValue, requestID: requestID, body: u64(nonce))
    }
}

extension FrameDecoder {
    /// Every frame and error `next()` yields until it returns `nil`, stopping after an unrecoverable
    /// error. A test fails rather than hangs if the decoder stops making progress.
    mutating func drain() -> [Result<DecodedFrame, WireError>] {
        var results: [Result<DecodedFrame, WireError>] = []
        for _ in 0..<100_000 {
            do {
                guard let decoded = try next() else { return results }
                results.append(.success(decoded))
            } catch {
                results.append(.failure(error))
                if !error.isRecoverable { return results }
            }
        }
        preconditionFailure("decoder made no progress")
    }
}

extension Result where Success == DecodedFrame, Failure == WireError {
    var frame: DecodedFrame? { if case let .success(frame) = self { frame } else { nil } }
    var error: WireError? { if case let .failure(error) = self { error } else { nil } }
}
