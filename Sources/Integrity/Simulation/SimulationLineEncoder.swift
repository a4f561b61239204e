/// Writes events as the analyzer's JSONL schema (the relay tap's key order), straight into bytes.
///
/// ```
/// {"t":…,"kind":"message","business":"+…","user":"+…","dir":"b2u","bytes":512,"category":"marketing"}
/// {"t":…,"kind":"message","business":"+…","user":"+…","dir":"u2b","bytes":128}
/// {"t":…,"kind":"delivered"|"read","business":"+…","user":"+…"}
/// {"t":…,"kind":"block","business":"+…","user":"+…","reason":"didnt_sign_up"}
/// {"t":…,"kind":"report","business":"+…","user":"+…","reason":"spam"}
/// ```
struct SimulationLineEncoder: Sendable {
    /// Each business's number, by business index.
    let businessNumbers: [[UInt8]]
    /// Makes users' numbers.
    let population: SimulationPopulation

    /// Appends `event` and a newline to `buffer`.
    func append(_ event: SimulatedEvent, to buffer: inout [UInt8]) {
        buffer.append(contentsOf: #"{"t":"#.utf8)
        Self.appendDecimal(event.time, to: &buffer)
        buffer.append(contentsOf: #","kind":""#.utf8)
        event.kind.name.withUTF8Buffer { buffer.append(contentsOf: $0) }
        buffer.append(contentsOf: #"","business":""#.utf8)
        buffer.append(contentsOf: businessNumbers[Int(event.business)])
        buffer.append(contentsOf: #"","user":""#.utf8)
        population.appendNumber(ofUser: Int(event.user), to: &buffer)
        buffer.append(UInt8(ascii: "\""))
        switch event.kind {
        case .businessMessage:
            buffer.append(contentsOf: #","dir":"b2u","bytes":"#.utf8)
            Self.appendDecimal(Int64(1) << Int64(event.sizeLog2), to: &buffer)
            buffer.append(contentsOf: #","category":""#.utf8)
            buffer.append(contentsOf: SimulationNames.category(event.detail).utf8)
            buffer.append(UInt8(ascii: "\""))
        case .userMessage:
            buffer.append(contentsOf: #","dir":"u2b","bytes":"#.utf8)
            Self.appendDecimal(Int64(1) << Int64(event.sizeLog2), to: &buffer)
        case .delivered, .read:
            break
        case .block:
            buffer.append(contentsOf: #","reason":""#.utf8)
            buffer.append(contentsOf: SimulationNames.blockReason(event.detail).utf8)
            buffer.append(UInt8(ascii: "\""))
        case .report:
            buffer.append(contentsOf: #","reason":""#.utf8)
            buffer.append(contentsOf: SimulationNames.reportReason(event.detail).utf8)
            buffer.append(UInt8(ascii: "\""))
        }
        buffer.append(contentsOf: "}\n".utf8)
    }

    /// Appends a non-negative integer in decimal.
    static func appendDecimal(_ value: Int64, to buffer: inout [UInt8]) {
        precondition(value >= 0, "negative value")
        var divisor: Int64 = 1
        while divisor <= value / 10 { divisor *= 10 }
        var rest = value
        repeat {
            buffer.append(UInt8(ascii: "0") + UInt8(rest / divisor))
            rest %= divisor
            divisor /= 10
        } while divisor > 0
    }
}
