/// Why a TCP connection closed; given to `TCPConnectionDelegate.connection(_:didCloseWith:)`.
public enum CloseReason: Sendable, Hashable, CustomStringConvertible {
    /// This side closed it: `close()` (after flushing) or `abort()`.
    case closedLocally
    /// The peer finished sending (end of file) and the connection was closed after flushing.
    case peerClosed
    /// The peer reset the connection (`ECONNRESET`, or `EPIPE` on write).
    case reset
    /// Cut off: the peer did not read, and the queued output exceeded the connection's limit.
    case outputLimitExceeded(queued: Int, limit: Int)
    /// Cut off: queued output made no progress for the stall timeout (the peer stopped reading).
    case writeStalled(after: Duration)
    /// Nothing was read or written for the idle timeout.
    case idleTimeout(after: Duration)
    /// An outbound connection could not be established (refused, unreachable, timed out).
    case connectFailed(SystemError)
    /// A socket call failed with an unexpected error.
    case failed(SystemError)
    /// The event loop shut down while the connection was open.
    case eventLoopShutDown

    /// Whether the connection was cut off because its peer did not keep up with its output.
    public var isCutOff: Bool {
        switch self {
        case .outputLimitExceeded, .writeStalled: return true
        default: return false
        }
    }

    /// A one-line account.
    public var description: String {
        switch self {
        case .closedLocally: return "closed locally"
        case .peerClosed: return "closed by peer"
        case .reset: return "reset by peer"
        case let .outputLimitExceeded(queued, limit): return "cut off: \(queued) bytes queued, limit \(limit)"
        case let .writeStalled(after): return "cut off: output stalled for \(after)"
        case let .idleTimeout(after): return "idle for \(after)"
        case let .connectFailed(error): return "connect failed: \(error)"
        case let .failed(error): return "failed: \(error)"
        case .eventLoopShutDown: return "event loop shut down"
        }
    }
}
