/// One header (or trailer) field: a name and its value, as received or to be sent.
public struct HTTPField: Hashable, Sendable, CustomStringConvertible {
    /// The field name as written (compare with ``HTTPHeaders/nameEquals(_:_:)``: names are
    /// case-insensitive).
    public var name: String
    /// The value without leading and trailing whitespace. Received values are decoded as UTF-8
    /// (bytes that are not UTF-8, allowed as `obs-text`, become U+FFFD).
    public var value: String

    /// A field `name: value`.
    public init(name: String, value: String) {
        self.name = name
        self.value = value
    }

    /// `Name: value`.
    public var description: String { "\(name): \(value)" }
}

/// The header or trailer fields of a message, in order, with case-insensitive lookup by name
/// (RFC 9110 §5.1).
///
/// A small value: an array of fields, so a lookup is a linear scan (messages have tens of
/// fields). Repeated fields are kept as received; ``values(for:)`` returns them all and
/// ``commaSeparatedValues(for:)`` splits list-valued ones.
///
/// Nothing is validated on insertion: the encoders refuse names that are not tokens and values
/// with CR, LF or NUL (header injection) when the message is sent.
public struct HTTPHeaders: Hashable, Sendable, RandomAccessCollection, ExpressibleByDictionaryLiteral, CustomStringConvertible {
    /// The fields in order.
    public private(set) var fields: [HTTPField]

    /// No fields.
    public init() {
        fields = []
    }

    /// The given fields, in order.
    public init(_ fields: [HTTPField]) {
        self.fields = fields
    }

    /// The fields of a literal, in order (names may repeat).
    public init(dictionaryLiteral elements: (String, String)...) {
        fields = elements.map { HTTPField(name: $0.0, value: $0.1) }
    }

    // MARK: Collection

    /// The index of the first field.
    public var startIndex: Int { fields.startIndex }
    /// One past the last field.
    public var endIndex: Int { fields.endIndex }
    /// The field at `position`.
    public subscript(position: Int) -> HTTPField { fields[position] }

    // MARK: Lookup

    /// The value of the first field named `name` (case-insensitive), or nil.
    public subscript(name: String) -> String? {
        for field in fields where HTTPHeaders.nameEquals(field.name, name) {
            return field.value
        }
        return nil
    }

    /// Whether a field named `name` (case-insensitive) is present.
    public func contains(_ name: String) -> Bool {
        fields.contains { HTTPHeaders.nameEquals($0.name, name) }
    }

    /// The values of every field named `name` (case-insensitive), in order.
    public func values(for name: String) -> [String] {
        fields.compactMap { HTTPHeaders.nameEquals($0.name, name) ? $0.value : nil }
    }

    /// The elements of every field named `name` read as a comma-separated list (RFC 9110
    /// §5.6.1): split on commas, trimmed of spaces and tabs, empty elements dropped.
    public func commaSeparatedValues(for name: String) -> [Substring] {
        var result: [Substring] = []
        for field in fields where HTTPHeaders.nameEquals(field.name, name) {
            for element in field.value.split(separator: ",", omittingEmptySubsequences: true) {
                let trimmed = HTTPHeaders.trimmingWhitespace(element)
                if !trimmed.isEmpty { result.append(trimmed) }
            }
        }
        return result
    }

    /// Whether a list-valued field named `name` has `token` as an element, compared
    /// case-insensitively (e.g. `Connection: keep-alive, close` has `close`).
    public func containsToken(_ token: String, inField name: String) -> Bool {
        for field in fields where HTTPHeaders.nameEquals(field.name, name) {
            for element in field.value.split(separator: ",") where HTTPHeaders.nameEquals(HTTPHeaders.trimmingWhitespace(element), token) {
                return true
            }
        }
        return false
    }

    // MARK: Changing

    /// Appends a field, keeping any others of the same name.
    public mutating func add(name: String, value: String) {
        fields.append(HTTPField(name: name, value: value))
    }

    /// Replaces every field named `name` by one `name: value` (at the first one's position), or
    /// appends it.
    public mutating func replaceOrAdd(name: String, value: String) {
        if let first = fields.firstIndex(where: { HTTPHeaders.nameEquals($0.name, name) }) {
            fields[first] = HTTPField(name: name, value: value)
            var index = fields.index(after: first)
            while index < fields.endIndex {
                if HTTPHeaders.nameEquals(fields[index].name, name) {
                    fields.remove(at: index)
                } else {
                    index += 1
                }
            }
        } else {
            add(name: name, value: value)
        }
    }

    /// Removes every field named `name` (case-insensitive).
    public mutating func remove(name: String) {
        fields.removeAll { HTTPHeaders.nameEquals($0.name, name) }
    }

    /// Reserves room for `count` fields.
    mutating func reserveCapacity(_ count: Int) {
        fields.reserveCapacity(count)
    }

    /// Removes every field, keeping the storage.
    mutating func removeAllKeepingCapacity() {
        fields.removeAll(keepingCapacity: true)
    }

    /// One `Name: value` per line.
    public var description: String { fields.map(\.description).joined(separator: "\n") }

    // MARK: Names

    /// Whether two field names (or tokens) are equal ignoring ASCII case.
    public static func nameEquals(_ lhs: some StringProtocol, _ rhs: some StringProtocol) -> Bool {
        let left = lhs.utf8
        let right = rhs.utf8
        guard left.count == right.count else { return false }
        return left.elementsEqual(right) { HTTPSyntax.lowercased($0) == HTTPSyntax.lowercased($1) }
    }

    /// Whether two field names (or tokens) are equal ignoring ASCII case; the fast path for
    /// `String`s, comparing their contiguous UTF-8 directly.
    public static func nameEquals(_ lhs: String, _ rhs: String) -> Bool {
        guard lhs.utf8.count == rhs.utf8.count else { return false }
        var left = lhs
        var right = rhs
        return left.withUTF8 { leftBytes in
            right.withUTF8 { rightBytes in
                for index in 0..<leftBytes.count where HTTPSyntax.lowercased(leftBytes[index]) != HTTPSyntax.lowercased(rightBytes[index]) {
                    return false
                }
                return true
            }
        }
    }

    /// `text` without leading and trailing spaces and tabs (optional whitespace, `OWS`).
    static func trimmingWhitespace(_ text: Substring) -> Substring {
        var start = text.startIndex
        var end = text.endIndex
        while start < end, text[start] == " " || text[start] == "\t" { start = text.index(after: start) }
        while end > start {
            let before = text.index(before: end)
            guard text[before] == " " || text[before] == "\t" else { break }
            end = before
        }
        return text[start..<end]
    }
}
