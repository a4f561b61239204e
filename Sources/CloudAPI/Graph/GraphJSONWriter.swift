/// Writes JSON text straight to bytes, for the bodies made once per message (a status or message
/// webhook, a send's 200): building a ``GraphJSON`` tree for them cost more than writing them, in
/// arrays of members, strings and the check that each object's keys are sorted.
///
/// The caller writes every object's keys in sorted byte order — the order ``GraphJSON`` and
/// `JSONSerialization`'s `.sortedKeys` produce, so bodies and their signatures are the same bytes;
/// debug builds trap on a key out of order. Strings are escaped as ``GraphJSON`` escapes them.
import Transport

struct GraphJSONWriter {
    /// The text written so far.
    private(set) var bytes: [UInt8]
    /// Bit `d` is set once the container open at depth `d` has a member (the next needs a comma).
    private var hasMembers: UInt64 = 0
    private var depth = 0
    #if DEBUG
    /// The last key written at each depth, to check the order.
    private var lastKeys: [String?] = []
    #endif

    init(capacity: Int = 768) {
        bytes = []
        bytes.reserveCapacity(capacity)
    }

    /// `{`, as a value.
    mutating func beginObject() { open(UInt8(ascii: "{")) }
    /// `}`.
    mutating func endObject() { close(UInt8(ascii: "}")) }
    /// `[`, as a value.
    mutating func beginArray() { open(UInt8(ascii: "[")) }
    /// `]`.
    mutating func endArray() { close(UInt8(ascii: "]")) }

    /// `"key":` in the open object; the next call writes its value.
    mutating func key(_ key: StaticString) {
        precondition(depth > 0 && !afterKey, "GraphJSONWriter: a key outside an object, or after a key")
        #if DEBUG
        let text = key.description
        if let last = lastKeys[depth - 1] {
            precondition(last.utf8.lexicographicallyPrecedes(text.utf8), "GraphJSONWriter: key \(text) after \(last)")
        }
        lastKeys[depth - 1] = text
        #endif
        separate()
        bytes.append(UInt8(ascii: "\""))
        key.withUTF8Buffer { bytes.append(contentsOf: $0) }
        bytes.append(UInt8(ascii: "\""))
        bytes.append(UInt8(ascii: ":"))
        afterKey = true
    }

    /// A string value.
    mutating func string(_ value: String) {
        separate()
        GraphJSON.writeString(value, into: &bytes)
    }

    /// A string value known to need no escape.
    mutating func string(_ value: StaticString) {
        separate()
        bytes.append(UInt8(ascii: "\""))
        value.withUTF8Buffer { bytes.append(contentsOf: $0) }
        bytes.append(UInt8(ascii: "\""))
    }

    /// A string value: `value`'s decimal digits.
    mutating func decimalString(_ value: Int64) {
        separate()
        bytes.append(UInt8(ascii: "\""))
        appendDecimal(value)
        bytes.append(UInt8(ascii: "\""))
    }

    /// A string value: `number`'s `wa_id` (its digits without `+`).
    mutating func waID(_ number: PhoneNumber) {
        decimalString(Int64(truncatingIfNeeded: number.digits))
    }

    /// An integer value.
    mutating func int(_ value: Int) {
        separate()
        appendDecimal(Int64(value))
    }

    /// `true` or `false`.
    mutating func bool(_ value: Bool) {
        separate()
        bytes.append(contentsOf: value ? [0x74, 0x72, 0x75, 0x65] : [0x66, 0x61, 0x6C, 0x73, 0x65])
    }

    /// Set between a key and its value: the value takes no comma.
    private var afterKey = false

    private mutating func separate() {
        if afterKey {
            afterKey = false
            return
        }
        guard depth > 0 else { return }
        let bit: UInt64 = 1 << UInt64(depth - 1)
        if hasMembers & bit != 0 { bytes.append(UInt8(ascii: ",")) }
        hasMembers |= bit
    }

    private mutating func open(_ byte: UInt8) {
        precondition(depth < 64, "GraphJSONWriter: nested deeper than 64")
        separate()
        bytes.append(byte)
        depth += 1
        hasMembers &= ~(1 << UInt64(depth - 1))
        #if DEBUG
        if lastKeys.count < depth { lastKeys.append(nil) } else { lastKeys[depth - 1] = nil }
        #endif
    }

    private mutating func close(_ byte: UInt8) {
        precondition(depth > 0 && !afterKey, "GraphJSONWriter: close without an open container")
        depth -= 1
        bytes.append(byte)
    }

    private mutating func appendDecimal(_ value: Int64) {
        if value < 0 { bytes.append(UInt8(ascii: "-")) }
        var magnitude = value.magnitude
        var digits: (UInt64, UInt64, UInt64) = (0, 0, 0)  // 24 bytes: room for any 64-bit value's 20 digits
        var count = 0
        withUnsafeMutableBytes(of: &digits) { buffer in
            repeat {
                buffer[23 - count] = UInt8(ascii: "0") + UInt8(truncatingIfNeeded: magnitude % 10)
                magnitude /= 10
                count += 1
            } while magnitude != 0
            bytes.append(contentsOf: UnsafeRawBufferPointer(rebasing: buffer[(24 - count)...]))
        }
    }
}
