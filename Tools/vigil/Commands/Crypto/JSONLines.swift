import Foundation

/// A JSON-lines request/response loop: one JSON object per input line, exactly one per output
/// line, and a bad request never stops the loop.
enum JSONLines {
    struct RequestError: Error, CustomStringConvertible {
        let description: String
        init(_ description: String) { self.description = description }
    }

    /// Serves standard input until it ends.
    static func serve(_ handle: ([String: Any]) throws -> [String: Any]) {
        while let line = readLine(strippingNewline: true) {
            var reply: [String: Any]
            do {
                guard let object = try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any] else {
                    throw RequestError("a request must be a JSON object")
                }
                reply = try handle(object)
            } catch let error as RequestError {
                reply = ["error": error.description]
            } catch {
                reply = ["error": "\(error)"]
            }
            let data = (try? JSONSerialization.data(withJSONObject: reply, options: [.sortedKeys])) ?? Data(#"{"error":"unencodable reply"}"#.utf8)
            FileHandle.standardOutput.write(data + Data("\n".utf8))
        }
    }

    /// A hex field of `request`.
    static func hex(_ request: [String: Any], _ field: String) throws -> [UInt8] {
        guard let text = request[field] as? String else { throw RequestError("missing hex field '\(field)'") }
        guard text.utf8.count % 2 == 0 else { throw RequestError("field '\(field)' has an odd number of hex digits") }
        var bytes: [UInt8] = []
        bytes.reserveCapacity(text.utf8.count / 2)
        var iterator = text.utf8.makeIterator()
        while let high = iterator.next(), let low = iterator.next() {
            guard let h = nibble(high), let l = nibble(low) else { throw RequestError("field '\(field)' is not hex") }
            bytes.append(h << 4 | l)
        }
        return bytes
    }

    /// An integer field of `request` within `range` (nil if absent or null and `optional`).
    static func integer(_ request: [String: Any], _ field: String, in range: ClosedRange<Int>, optional: Bool = false) throws -> Int? {
        guard let value = request[field], !(value is NSNull) else {
            if optional { return nil }
            throw RequestError("missing integer field '\(field)'")
        }
        guard let number = value as? NSNumber, let integer = Int(exactly: number.doubleValue), range.contains(integer) else {
            throw RequestError("field '\(field)' must be an integer in \(range.lowerBound)…\(range.upperBound)")
        }
        return integer
    }

    /// A string field of `request`.
    static func string(_ request: [String: Any], _ field: String) throws -> String {
        guard let text = request[field] as? String else { throw RequestError("missing string field '\(field)'") }
        return text
    }

    private static func nibble(_ c: UInt8) -> UInt8? {
        switch c {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): c - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): c - UInt8(ascii: "a") + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): c - UInt8(ascii: "A") + 10
        default: nil
        }
    }
}

extension Collection where Element == UInt8 {
    /// Lowercase hex.
    var hexString: String {
        let digits = Array("0123456789abcdef".utf8)
        var out = [UInt8]()
        out.reserveCapacity(count * 2)
        for byte in self {
            out.append(digits[Int(byte >> 4)])
            out.append(digits[Int(byte & 15)])
        }
        return String(decoding: out, as: UTF8.self)
    }
}
