/// A route's path pattern: `/`-separated segments, each a literal or a `{name}` parameter that
/// matches any one (non-empty) segment, e.g. `/v1/{phoneNumberID}/messages`.
///
/// Literal segments are compared with the request's percent-decoded segments, exactly (case
/// and trailing slashes matter).
public struct HTTPRoutePattern: Hashable, Sendable, CustomStringConvertible {
    /// One segment of a pattern.
    public enum Segment: Hashable, Sendable {
        /// Matches this exact (decoded) text.
        case literal(String)
        /// Matches any non-empty segment and binds it to the name.
        case parameter(String)
    }

    /// The segments after the leading `/`.
    public let segments: [Segment]
    /// The pattern as written.
    public let description: String

    /// Parses `pattern`; nil unless it starts with `/`, every `{…}` is a whole segment with a
    /// non-empty name, and no name repeats.
    public init?(_ pattern: String) {
        guard pattern.hasPrefix("/") else { return nil }
        var segments: [Segment] = []
        var names = Set<String>()
        for piece in pattern.dropFirst().split(separator: "/", omittingEmptySubsequences: false) {
            if piece.hasPrefix("{") && piece.hasSuffix("}") && piece.count >= 2 {
                let name = String(piece.dropFirst().dropLast())
                guard !name.isEmpty, !name.contains("{"), !name.contains("}"), names.insert(name).inserted else { return nil }
                segments.append(.parameter(name))
            } else {
                guard !piece.contains("{"), !piece.contains("}") else { return nil }
                segments.append(.literal(String(piece)))
            }
        }
        self.segments = segments
        self.description = pattern
    }

    /// The parameters if `path` (decoded segments) matches, else nil.
    func match(_ path: [String]) -> [String: String]? {
        guard path.count == segments.count else { return nil }
        var parameters: [String: String] = [:]
        for (segment, value) in zip(segments, path) {
            switch segment {
            case let .literal(text):
                guard text == value else { return nil }
            case let .parameter(name):
                guard !value.isEmpty else { return nil }
                parameters[name] = value
            }
        }
        return parameters
    }

    /// Whether segment `index` is a literal (literals are more specific than parameters).
    func isLiteral(at index: Int) -> Bool {
        if case .literal = segments[index] { return true }
        return false
    }
}
