/// Why an export could not be made.
public enum ExportError: Error, Sendable, Hashable, CustomStringConvertible {
    /// A privacy or bounding parameter is out of range; the text names it and its value.
    case invalidParameter(String)
    /// The random source failed while drawing noise.
    case noise(NoiseSourceError)
    /// A transport export could not be read or merged; the text says where and why.
    case malformedTransportExport(String)

    /// One line for the command line.
    public var description: String {
        switch self {
        case let .invalidParameter(text): "invalid parameter: \(text)"
        case let .noise(error): "noise: \(error)"
        case let .malformedTransportExport(text): "transport export: \(text)"
        }
    }
}
