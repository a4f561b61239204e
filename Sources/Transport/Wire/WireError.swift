/// Why bytes could not be decoded as a frame, or a frame could not be encoded, with where it happened.
///
/// Decoding errors come in two classes (``isRecoverable``): a well-framed but invalid frame has been
/// consumed whole, so the stream is still in sync and the next frame decodes; a bad length prefix or
/// version leaves no way to find the next frame, so the decoder stops and the connection must close.
/// Either way the peer is owed an `error` frame with ``code``.
public struct WireError: Error, Sendable, Hashable, CustomStringConvertible {
    /// What was wrong.
    public enum Reason: Sendable, Hashable {
        /// The length prefix announces a frame (prefix included) above the maximum. Unrecoverable.
        case frameTooLarge(frameSize: UInt64, limit: Int)
        /// The length prefix is below 6, too short for the header it must cover. Unrecoverable.
        case lengthTooShort(length: UInt32)
        /// The version byte is not ``WireFormat/version``. Unrecoverable.
        case unsupportedVersion(UInt8)
        /// The type byte names no frame type; the frame was skipped.
        case unknownFrameType(UInt8)
        /// The body is longer than its type allows; the frame was skipped.
        case bodyTooLarge(FrameType, length: Int, limit: Int)
        /// The body ends inside `field`.
        case truncated(field: String, needed: Int, available: Int)
        /// The body continues after its last field.
        case trailingBytes(count: Int)
        /// `field` holds a value the protocol forbids.
        case invalidField(field: String, reason: String)
    }

    /// What was wrong.
    public let reason: Reason
    /// Where in the stream the offending frame starts (its length prefix); `nil` when encoding.
    public internal(set) var streamOffset: UInt64?
    /// Where in the frame, counted from its length prefix, the offending field starts, if known.
    public internal(set) var fieldOffset: Int?
    /// The frame's type byte, if it was read.
    public internal(set) var frameType: UInt8?
    /// The frame's request id, if it was read: the `error` frame echoes it.
    public internal(set) var requestID: RequestID?

    /// An error with the context known so far.
    init(_ reason: Reason, fieldOffset: Int? = nil, frameType: UInt8? = nil) {
        self.reason = reason
        self.fieldOffset = fieldOffset
        self.frameType = frameType
    }

    /// Whether the stream is still in sync after this decoding error: `false` for framing errors
    /// (length, version), after which the decoder accepts nothing more.
    public var isRecoverable: Bool {
        switch reason {
        case .frameTooLarge, .lengthTooShort, .unsupportedVersion: false
        case .unknownFrameType, .bodyTooLarge, .truncated, .trailingBytes, .invalidField: true
        }
    }

    /// The code of the `error` frame owed to the peer.
    public var code: WireErrorCode {
        switch reason {
        case .frameTooLarge: .frameTooLarge
        case .lengthTooShort: .badLength
        case .unsupportedVersion: .unsupportedVersion
        case .unknownFrameType: .unknownFrameType
        case .bodyTooLarge, .truncated, .trailingBytes: .malformedFrame
        case .invalidField: .invalidField
        }
    }

    /// One line: what, in which frame, where. Carries no bytes of the peer's input beyond numbers,
    /// so it can go into an `error` frame as it is.
    public var description: String {
        var text: String
        switch reason {
        case let .frameTooLarge(size, limit): text = "frame of \(size) bytes exceeds the maximum of \(limit)"
        case let .lengthTooShort(length): text = "length prefix \(length) is below the header's 6 bytes"
        case let .unsupportedVersion(version): text = "unsupported version \(version)"
        case let .unknownFrameType(type): text = "unknown frame type 0x\(String(type, radix: 16))"
        case let .bodyTooLarge(type, length, limit): text = "\(type) body of \(length) bytes exceeds its maximum of \(limit)"
        case let .truncated(field, needed, available): text = "body ends inside \(field) (needs \(needed) bytes, has \(available))"
        case let .trailingBytes(count): text = "\(count) trailing byte(s) after the last field"
        case let .invalidField(field, why): text = "invalid \(field): \(why)"
        }
        if let frameType {
            text += FrameType(rawValue: frameType).map { " in \($0)" } ?? ""
        }
        if let requestID { text += " \(requestID)" }
        if let fieldOffset { text += " at frame offset \(fieldOffset)" }
        if let streamOffset { text += " (stream offset \(streamOffset))" }
        return text
    }
}
