import Crypto
import Glibc
import Transport

/// Pieces the hidden HTTP interop commands share: JSON text, digests, signals.
enum HTTPToolSupport {
    /// A JSON string literal.
    static func quote(_ text: String) -> String { JSONObject.quote(text) }

    /// `{"k":v,…}` from already-encoded values, in order.
    static func object(_ fields: [(String, String)]) -> String {
        "{" + fields.map { "\(quote($0.0)):\($0.1)" }.joined(separator: ",") + "}"
    }

    /// `[v,…]` from already-encoded values.
    static func array(_ values: [String]) -> String { "[" + values.joined(separator: ",") + "]" }

    /// `[["name","value"],…]`.
    static func fields(_ headers: HTTPHeaders) -> String {
        array(headers.map { array([quote($0.name), quote($0.value)]) })
    }

    /// Lowercase hex SHA-256 of `bytes`.
    static func sha256(_ bytes: [UInt8]) throws -> String {
        let digits = Array("0123456789abcdef".utf8)
        var text: [UInt8] = []
        for byte in try SHA256.hash(data: bytes).bytes {
            text.append(digits[Int(byte >> 4)])
            text.append(digits[Int(byte & 0x0F)])
        }
        return String(decoding: text, as: UTF8.self)
    }

    /// Blocks SIGINT and SIGTERM (before any thread starts) so only `waitForStopSignal` sees them.
    static func blockStopSignals() -> sigset_t {
        var signals = sigset_t()
        sigemptyset(&signals)
        sigaddset(&signals, SIGINT)
        sigaddset(&signals, SIGTERM)
        pthread_sigmask(SIG_BLOCK, &signals, nil)
        return signals
    }

    /// Waits for SIGINT or SIGTERM; returns which.
    static func waitForStopSignal(_ signals: sigset_t) -> Int32 {
        var signals = signals
        while true {
            var timeout = timespec(tv_sec: 3600, tv_nsec: 0)
            let signal = sigtimedwait(&signals, nil, &timeout)
            if signal == SIGINT || signal == SIGTERM { return signal }
        }
    }

    /// Prints `line` to standard output and flushes it (scripts read it through a pipe).
    static func emit(_ line: String) {
        print(line)
        fflush(nil)
    }

    /// `value` with `digits` decimals, right-aligned to `width` (no Foundation).
    static func fixed(_ value: Double, _ digits: Int, width: Int = 0) -> String {
        var scale = 1.0
        for _ in 0..<digits { scale *= 10 }
        let scaled = (abs(value) * scale).rounded()
        guard scaled.isFinite, scaled < 9e18 else { return "\(value)" }
        let whole = Int(scaled) / Int(scale)
        var text = String(whole)
        if digits > 0 {
            let fraction = String(Int(scaled) % Int(scale))
            text += "." + String(repeating: "0", count: digits - fraction.count) + fraction
        }
        if value < 0 { text = "-" + text }
        return text.count >= width ? text : String(repeating: " ", count: width - text.count) + text
    }
}
