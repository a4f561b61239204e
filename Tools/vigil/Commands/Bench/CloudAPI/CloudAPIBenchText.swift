/// The text of a benchmark message: `D:FLOW:SEQ:STAMP:` and `x` padding to the configured length,
/// where `D` is `o` (business → user), `i` (user → business) or `p` (priming), FLOW the flow's
/// number, SEQ the message's number in its flow and direction (so duplicates are recognized) and
/// STAMP the send time on the monotonic clock (decimal nanoseconds). ASCII only, so it
/// needs no JSON escaping and can be found in a webhook body by a byte search.
enum CloudAPIBenchText {
    /// Which way a message goes.
    enum Direction: UInt8, Sendable {
        /// Business → user: `POST /messages` → relay → the phone decrypts.
        case outbound = 0x6F // "o"
        /// User → business: the phone encrypts → relay → endpoint → webhook.
        case inbound = 0x69 // "i"
        /// The first message of each user, which opens its session and 24-hour window.
        case priming = 0x70 // "p"
    }

    /// The shortest text that fits every prefix.
    static let minimumLength = 48

    /// A parsed benchmark text.
    struct Parsed: Sendable {
        var direction: Direction
        var flow: Int
        var sequence: Int
        var stamp: UInt64
    }

    /// The text of one message, `length` bytes long.
    static func make(_ direction: Direction, flow: Int, sequence: Int, stamp: UInt64, length: Int) -> [UInt8] {
        var bytes: [UInt8] = [direction.rawValue, 0x3A]
        bytes.reserveCapacity(length)
        appendDecimal(UInt64(flow), to: &bytes)
        bytes.append(0x3A)
        appendDecimal(UInt64(sequence), to: &bytes)
        bytes.append(0x3A)
        appendDecimal(stamp, to: &bytes)
        bytes.append(0x3A)
        while bytes.count < length { bytes.append(0x78) }
        return bytes
    }

    /// The direction, flow and stamp at the start of `bytes`, if it is a benchmark text.
    static func parse<Bytes: Collection<UInt8>>(_ bytes: Bytes) -> Parsed? {
        var index = bytes.startIndex
        guard index != bytes.endIndex, let direction = Direction(rawValue: bytes[index]) else { return nil }
        index = bytes.index(after: index)
        guard index != bytes.endIndex, bytes[index] == 0x3A else { return nil }
        index = bytes.index(after: index)
        guard let flow = readDecimal(bytes, &index), let sequence = readDecimal(bytes, &index),
              let stamp = readDecimal(bytes, &index), flow <= UInt64(Int.max), sequence <= UInt64(Int.max)
        else { return nil }
        return Parsed(direction: direction, flow: Int(flow), sequence: Int(sequence), stamp: stamp)
    }

    /// Reads digits up to a `:` (consumed); nil if there are none or no `:` follows.
    private static func readDecimal<Bytes: Collection<UInt8>>(_ bytes: Bytes, _ index: inout Bytes.Index) -> UInt64? {
        var value: UInt64 = 0
        var digits = 0
        while index != bytes.endIndex {
            let byte = bytes[index]
            index = bytes.index(after: index)
            if byte == 0x3A { return digits > 0 ? value : nil }
            guard byte >= 0x30, byte <= 0x39, digits < 19 else { return nil }
            // At most 19 digits: below 10^19 < 2^64, so this cannot overflow.
            value = value &* 10 &+ UInt64(byte - 0x30)
            digits += 1
        }
        return nil
    }

    private static func appendDecimal(_ value: UInt64, to bytes: inout [UInt8]) {
        var digits: [UInt8] = []
        var rest = value
        repeat {
            digits.append(0x30 + UInt8(rest % 10))
            rest /= 10
        } while rest > 0
        bytes.append(contentsOf: digits.reversed())
    }

    /// The benchmark texts inside a webhook body: every `"body":"` value that parses, and whether
    /// the body is a status notification (`"statuses":`). Meta's bodies are small; a linear scan
    /// is cheaper than a JSON parse on the load generator's thread.
    static func scanWebhook(_ body: [UInt8]) -> (texts: [Parsed], statuses: Int) {
        let bodyKey = Array(#""body":""#.utf8)
        let statusKey = Array(#""status":""#.utf8)
        var texts: [Parsed] = []
        var statuses = 0
        var index = 0
        while index < body.count {
            if body[index] == 0x22 {
                if matches(body, at: index, bodyKey), let text = parse(body[(index + bodyKey.count)...]) {
                    texts.append(text)
                } else if matches(body, at: index, statusKey) {
                    statuses += 1
                }
            }
            index += 1
        }
        return (texts, statuses)
    }

    private static func matches(_ body: [UInt8], at index: Int, _ key: [UInt8]) -> Bool {
        guard index + key.count <= body.count else { return false }
        for offset in 0..<key.count where body[index + offset] != key[offset] { return false }
        return true
    }
}
