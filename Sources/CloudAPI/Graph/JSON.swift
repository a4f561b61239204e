import Foundation

/// Small JSON helpers over `JSONSerialization` (objects with sorted keys, so bodies and their
/// signatures are reproducible) and typed field access with Graph-style errors.
enum JSON {
    /// Serializes `object` (sorted keys, no escaped slashes).
    static func encode(_ object: Any) -> [UInt8] {
        guard JSONSerialization.isValidJSONObject(object),
              let data = try? JSONSerialization.data(withJSONObject: object, options: [.sortedKeys, .withoutEscapingSlashes])
        else { return Array(#"{"error":"unencodable"}"#.utf8) }
        return Array(data)
    }

    /// Parses a request body that must be one JSON object.
    static func object(_ body: [UInt8]) throws(GraphError) -> [String: Any] {
        guard !body.isEmpty else { throw .invalidParameter("the request body is empty; expected a JSON object") }
        let parsed: Any
        do {
            parsed = try JSONSerialization.jsonObject(with: Data(body), options: [])
        } catch {
            throw .invalidParameter("the request body is not valid JSON")
        }
        guard let object = parsed as? [String: Any] else { throw .invalidParameter("the request body must be a JSON object") }
        return object
    }
}

/// Typed access to a JSON object's fields, each failure naming the field.
struct Fields {
    let object: [String: Any]
    /// The path of this object in the request, for messages ("template.language").
    let path: String

    init(_ object: [String: Any], path: String = "") {
        self.object = object
        self.path = path
    }

    private func name(_ key: String) -> String { path.isEmpty ? key : "\(path).\(key)" }

    func string(_ key: String) throws(GraphError) -> String {
        guard let value = object[key] else { throw .invalidParameter("missing required parameter \(name(key))") }
        guard let text = value as? String else { throw .invalidParameter("parameter \(name(key)) must be a string") }
        return text
    }

    func optionalString(_ key: String) throws(GraphError) -> String? {
        guard let value = object[key], !(value is NSNull) else { return nil }
        guard let text = value as? String else { throw .invalidParameter("parameter \(name(key)) must be a string") }
        return text
    }

    func optionalBool(_ key: String) throws(GraphError) -> Bool? {
        guard let value = object[key], !(value is NSNull) else { return nil }
        // JSONSerialization yields NSNumber for numbers and booleans; only a boolean has objCType "c".
        guard let number = value as? NSNumber, String(cString: number.objCType) == "c" else {
            throw .invalidParameter("parameter \(name(key)) must be a boolean")
        }
        return number.boolValue
    }

    func object(_ key: String) throws(GraphError) -> Fields {
        guard let value = object[key] else { throw .invalidParameter("missing required parameter \(name(key))") }
        guard let nested = value as? [String: Any] else { throw .invalidParameter("parameter \(name(key)) must be an object") }
        return Fields(nested, path: name(key))
    }

    func optionalArray(_ key: String) throws(GraphError) -> [Any]? {
        guard let value = object[key], !(value is NSNull) else { return nil }
        guard let array = value as? [Any] else { throw .invalidParameter("parameter \(name(key)) must be an array") }
        return array
    }
}
