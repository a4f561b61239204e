/// One `name=value` pair of a query string, percent-decoded.
public struct HTTPQueryItem: Hashable, Sendable {
    /// The decoded name.
    public var name: String
    /// The decoded value; "" for `name` or `name=`.
    public var value: String

    /// An item.
    public init(name: String, value: String) {
        self.name = name
        self.value = value
    }
}

/// Why a query string could not be decoded.
public enum HTTPQueryError: Error, Sendable, Hashable, CustomStringConvertible {
    /// A `%` not followed by two hex digits, or decoded bytes that are not UTF-8, in `component`.
    case invalidPercentEncoding(String)

    /// One line.
    public var description: String {
        switch self {
        case let .invalidPercentEncoding(component): return "invalid percent-encoding in query component \"\(component)\""
        }
    }
}

/// The parameters of a query string (`a=1&b=x%20y&c`), in order, percent-decoded with `+` as a
/// space (the form-urlencoded convention). Empty pieces (`a=1&&b=2`) are skipped; names may
/// repeat.
public struct HTTPQuery: Hashable, Sendable, RandomAccessCollection {
    /// The items in order.
    public private(set) var items: [HTTPQueryItem]

    /// No items.
    public init() {
        items = []
    }

    /// The given items.
    public init(_ items: [HTTPQueryItem]) {
        self.items = items
    }

    /// Parses `query` (the part after `?`, without it).
    public init(parsing query: some StringProtocol) throws(HTTPQueryError) {
        var items: [HTTPQueryItem] = []
        for piece in query.split(separator: "&", omittingEmptySubsequences: true) {
            let parts = piece.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            let rawName = parts[0]
            let rawValue = parts.count > 1 ? parts[1] : ""
            guard let name = HTTPPercentEncoding.decode(rawName, plusAsSpace: true) else {
                throw .invalidPercentEncoding(String(rawName))
            }
            guard let value = HTTPPercentEncoding.decode(rawValue, plusAsSpace: true) else {
                throw .invalidPercentEncoding(String(rawValue))
            }
            items.append(HTTPQueryItem(name: name, value: value))
        }
        self.items = items
    }

    /// The index of the first item.
    public var startIndex: Int { items.startIndex }
    /// One past the last item.
    public var endIndex: Int { items.endIndex }
    /// The item at `position`.
    public subscript(position: Int) -> HTTPQueryItem { items[position] }

    /// The value of the first item named `name` (case-sensitive), or nil.
    public subscript(name: String) -> String? {
        items.first { $0.name == name }?.value
    }

    /// The values of every item named `name`, in order.
    public func values(for name: String) -> [String] {
        items.filter { $0.name == name }.map(\.value)
    }
}
