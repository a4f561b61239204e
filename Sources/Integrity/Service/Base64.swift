/// Standard base64 (RFC 4648 §4) decoding for `Authorization: Basic` — strict: padding required
/// where the length needs it, no whitespace, no other alphabet.
enum Base64 {
    /// The bytes `text` encodes, or nil if it is not canonical base64.
    static func decode(_ text: some Collection<UInt8>) -> [UInt8]? {
        guard text.count % 4 == 0 else { return nil }
        var output: [UInt8] = []
        output.reserveCapacity(text.count / 4 * 3)
        var quad: [UInt8] = []
        quad.reserveCapacity(4)
        var padding = 0
        for (position, character) in text.enumerated() {
            if character == UInt8(ascii: "=") {
                // Only in the last two places.
                guard position >= text.count - 2 else { return nil }
                padding += 1
                quad.append(0)
            } else {
                guard padding == 0, let value = value(of: character) else { return nil }
                quad.append(value)
            }
            if quad.count == 4 {
                let bits = UInt32(quad[0]) << 18 | UInt32(quad[1]) << 12 | UInt32(quad[2]) << 6 | UInt32(quad[3])
                output.append(UInt8(truncatingIfNeeded: bits >> 16))
                output.append(UInt8(truncatingIfNeeded: bits >> 8))
                output.append(UInt8(truncatingIfNeeded: bits))
                quad.removeAll(keepingCapacity: true)
            }
        }
        output.removeLast(padding)
        return output
    }

    private static func value(of character: UInt8) -> UInt8? {
        switch character {
        case UInt8(ascii: "A")...UInt8(ascii: "Z"): character - UInt8(ascii: "A")
        case UInt8(ascii: "a")...UInt8(ascii: "z"): character - UInt8(ascii: "a") + 26
        case UInt8(ascii: "0")...UInt8(ascii: "9"): character - UInt8(ascii: "0") + 52
        case UInt8(ascii: "+"): 62
        case UInt8(ascii: "/"): 63
        default: nil
        }
    }
}
