public import Crypto
public import Transport

/// Why a phone operation failed, with the context needed to act on it.
///
/// ``isRetryable`` tells whether repeating the operation later may succeed (the relay was busy or
/// unreachable) as opposed to a refusal that will not change.
public enum ClientError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The relay refused `request` with an `error` frame carrying `code` and `message`.
    case refused(request: FrameType, code: WireErrorCode, message: String)
    /// No TCP connection to the relay at `address` could be made.
    case unreachable(SocketAddress, SystemError)
    /// Reading from or writing to the relay's connection failed.
    case system(SystemError)
    /// The relay closed the connection; `code` and `message` are from the `error` frame it sent
    /// first, if any (e.g. 303 `replaced`, 501 `unavailable`).
    case connectionClosed(code: WireErrorCode?, message: String?)
    /// No reply to `request` arrived within `timeout`.
    case timedOut(request: FrameType, timeout: Duration)
    /// The relay answered `request` with a frame of the wrong type.
    case unexpectedReply(request: FrameType, reply: FrameType)
    /// The relay sent bytes that are not a frame stream; the connection was closed.
    case malformedStream(WireError)
    /// A frame could not be encoded (e.g. a message above the wire's limits).
    case encoding(WireError)
    /// The call needs a connection: call `Phone.connect()` first.
    case notConnected
    /// A protocol step failed (`context` says which).
    case crypto(ProtocolError, context: String)
    /// A peer's prekey bundle did not decode or verify.
    case invalidBundle(owner: PhoneNumber, ProtocolError)
    /// The phone's state could not be read or written.
    case state(StateFileError)
    /// An argument outside what the phone supports (e.g. a bundle count of 0).
    case invalidArgument(String)

    /// Whether the same operation may succeed later: rate limiting, relay failures, timeouts and
    /// lost connections. Pending sends stay queued across these and go out on the next `connect`.
    public var isRetryable: Bool {
        switch self {
        case let .refused(_, code, _): code == .rateLimited || code == .internalError || code == .unavailable
        case .unreachable, .system, .connectionClosed, .timedOut: true
        default: false
        }
    }

    /// One line that says what went wrong.
    public var description: String {
        switch self {
        case let .refused(request, code, message):
            "the relay refused \(request): \(code)\(message.isEmpty ? "" : " — \(message)")"
        case let .unreachable(address, error): "cannot reach the relay at \(address): \(error)"
        case let .system(error): "relay connection failed: \(error)"
        case let .connectionClosed(code, message):
            if let code {
                "the relay closed the connection: \(code)\(message.map { " — \($0)" } ?? "")"
            } else {
                "the relay closed the connection"
            }
        case let .timedOut(request, timeout): "no answer to \(request) within \(timeout)"
        case let .unexpectedReply(request, reply): "the relay answered \(request) with \(reply)"
        case let .malformedStream(error): "the relay sent a malformed stream: \(error)"
        case let .encoding(error): "cannot encode the frame: \(error)"
        case .notConnected: "not connected to the relay"
        case let .crypto(error, context): "\(context): \(error)"
        case let .invalidBundle(owner, error): "the prekey bundle of \(owner) is invalid: \(error)"
        case let .state(error): "\(error)"
        case let .invalidArgument(text): text
        }
    }
}
