/// A raw file descriptor number; a thin wrapper so descriptors are not confused with other
/// integers. It owns nothing: whoever opened it closes it (`Syscall.close`).
public struct FileDescriptor: RawRepresentable, Hashable, Sendable, CustomStringConvertible {
    /// The descriptor number.
    public let rawValue: Int32

    /// Wraps a descriptor number.
    public init(rawValue: Int32) {
        self.rawValue = rawValue
    }

    /// "fd N".
    public var description: String { "fd \(rawValue)" }
}
