import Foundation
import Transport

/// Small JSON helpers: `JSONSerialization` for writing (objects with sorted keys, so bodies and
/// their signatures are reproducible), Transport's `RequestJSONReader` for request bodies, and
/// typed field access with Graph-style errors.
enum JSON {
    /// Serializes `object` (sorted keys, no escaped slashes).
    static func encode(_ object: Any) -> [UInt8] {
        guard JSONSerialization.isValidJSONObject(object),
              let data = try? JSONSerialization.data(withJSONObject: object, options: [.sortedKeys, .withoutEscapingSlashes])
        else { return Array(#"{"error":"unencodable"}"#.utf8) }
        return Array(data)
    }

    /// Parses a request body that must be one JSON object (``RequestJSONReader``).
    static func object(_ body: [UInt8]) throws(GraphError) -> RequestJSON {
        guard !body.isEmpty else { throw .invalidParameter("the request body is empty; expected a JSON object") }
        let parsed: RequestJSON
        do throws(RequestJSONError) {
            parsed = try RequestJSONReader.parse(body)
        } catch {
            throw .invalidParameter("the request body is not valid JSON (\(error.message) at byte \(error.offset))")
        }
        guard case .object = parsed else { throw .invalidParameter("the request body must be a JSON object") }
        return parsed
    }
}

/// Typed access to a JSON object's fields, each failure naming the field.
struct Fields {
    /// A JSON object (its members are read with `RequestJSON`'s subscript: the last of a repeated
    /// name counts).
    let object: RequestJSON
    /// The path of this object in the request, for messages ("template.language").
    let path: String

    init(_ object: RequestJSON, path: String = "") {
        self.object = object
        self.path = path
    }

    private func name(_ key: String) -> String { path.isEmpty ? key : "\(path).\(key)" }

    func string(_ key: String) throws(GraphError) -> String {
        guard let value = object[key] else { throw .invalidParameter("missing required parameter \(name(key))") }
        guard case let .string(text) = value else { throw .invalidParameter("parameter \(name(key)) must be a string") }
        return text
    }

    func optionalString(_ key: String) throws(GraphError) -> String? {
        guard let value = object[key], value != .null else { return nil }
        guard case let .string(text) = value else { throw .invalidParameter("parameter \(name(key)) must be a string") }
        return text
    }

    func optionalBool(_ key: String) throws(GraphError) -> Bool? {
        guard let value = object[key], value != .null else { return nil }
        guard case let .bool(flag) = value else { throw .invalidParameter("parameter \(name(key)) must be a boolean") }
        return flag
    }

    func object(_ key: String) throws(GraphError) -> Fields {
        guard let value = object[key] else { throw .invalidParameter("missing required parameter \(name(key))") }
        guard case .object = value else { throw .invalidParameter("parameter \(name(key)) must be an object") }
        return Fields(value, path: name(key))
    }

    func optionalArray(_ key: String) throws(GraphError) -> [RequestJSON]? {
        guard let value = object[key], value != .null else { return nil }
        guard case let .array(array) = value else { throw .invalidParameter("parameter \(name(key)) must be an array") }
        return array
    }
}
