/// The numeric code of an `error` frame (docs/wire.md, "Error codes").
///
/// A struct rather than an enum: the set grows, and a receiver must accept codes it does not know
/// (it treats them by their hundred: 1xx framing, 2xx frame, 3xx state, 4xx request, 5xx relay).
public struct WireErrorCode: RawRepresentable, Sendable, Hashable, CustomStringConvertible {
    /// The code as carried on the wire.
    public let rawValue: UInt16

    /// Wraps any code, known or not.
    public init(rawValue: UInt16) { self.rawValue = rawValue }

    /// 100: the length prefix exceeds the receiver's maximum frame size. Closes.
    public static let frameTooLarge = WireErrorCode(rawValue: 100)
    /// 101: the length prefix is below 6. Closes.
    public static let badLength = WireErrorCode(rawValue: 101)
    /// 102: the version byte is not 1. Closes.
    public static let unsupportedVersion = WireErrorCode(rawValue: 102)
    /// 200: unknown frame type; the frame was skipped.
    public static let unknownFrameType = WireErrorCode(rawValue: 200)
    /// 201: body truncated, trailing bytes, or body above its type's maximum.
    public static let malformedFrame = WireErrorCode(rawValue: 201)
    /// 202: a field value is invalid.
    public static let invalidField = WireErrorCode(rawValue: 202)
    /// 203: a frame type this endpoint never receives.
    public static let wrongDirection = WireErrorCode(rawValue: 203)
    /// 300: a request before authentication. Closes.
    public static let notAuthenticated = WireErrorCode(rawValue: 300)
    /// 301: `register` / `hello` when already authenticating or authenticated.
    public static let outOfState = WireErrorCode(rawValue: 301)
    /// 302: unknown number, device or token. Closes.
    public static let authenticationFailed = WireErrorCode(rawValue: 302)
    /// 303: another device registered this number. Closes.
    public static let replaced = WireErrorCode(rawValue: 303)
    /// 400: the number is not registered.
    public static let unknownRecipient = WireErrorCode(rawValue: 400)
    /// 401: the owner has no prekey bundle.
    public static let noPreKeys = WireErrorCode(rawValue: 401)
    /// 402: rate-limited; try again later.
    public static let rateLimited = WireErrorCode(rawValue: 402)
    /// 403: the admission policy refused this business message.
    public static let admissionDenied = WireErrorCode(rawValue: 403)
    /// 500: the relay failed; the request may be retried.
    public static let internalError = WireErrorCode(rawValue: 500)
    /// 501: the relay is shutting down. Closes.
    public static let unavailable = WireErrorCode(rawValue: 501)

    /// The name from docs/wire.md and the number, e.g. `invalid_field (202)`; `error 777` if unknown.
    public var description: String {
        let name: String? = switch rawValue {
        case 100: "frame_too_large"
        case 101: "bad_length"
        case 102: "unsupported_version"
        case 200: "unknown_frame_type"
        case 201: "malformed_frame"
        case 202: "invalid_field"
        case 203: "wrong_direction"
        case 300: "not_authenticated"
        case 301: "out_of_state"
        case 302: "authentication_failed"
        case 303: "replaced"
        case 400: "unknown_recipient"
        case 401: "no_prekeys"
        case 402: "rate_limited"
        case 403: "admission_denied"
        case 500: "internal_error"
        case 501: "unavailable"
        default: nil
        }
        return name.map { "\($0) (\(rawValue))" } ?? "error \(rawValue)"
    }
}
