import Foundation
import Glibc
@testable import Integrity
import Testing

@Suite struct RFC3339Tests {
    @Test(arguments: [
        (Int64(0), "1970-01-01T00:00:00.000Z", "1970-01-01T00:00:00Z"),
        (951_782_400_000, "2000-02-29T00:00:00.000Z", "2000-02-29T00:00:00Z"),  // leap day of a 400-year leap year
        (1_701_216_000_123, "2023-11-29T00:00:00.123Z", "2023-11-29T00:00:00.123Z"),
        (1_714_557_600_120, "2024-05-01T10:00:00.120Z", "2024-05-01T10:00:00.12Z"),
        (1_714_557_600_100, "2024-05-01T10:00:00.100Z", "2024-05-01T10:00:00.1Z"),
        (4_107_542_399_999, "2100-02-28T23:59:59.999Z", "2100-02-28T23:59:59.999Z"),  // 2100 is not a leap year
        (-1, "1969-12-31T23:59:59.999Z", "1969-12-31T23:59:59.999Z"),
        (253_402_300_799_999, "9999-12-31T23:59:59.999Z", "9999-12-31T23:59:59.999Z"),
        (-62_135_596_800_000, "0001-01-01T00:00:00.000Z", RFC3339.goZeroTime),
    ])
    func knownInstants(milliseconds: Int64, withMilliseconds: String, trimmed: String) {
        #expect(RFC3339.format(milliseconds: milliseconds) == withMilliseconds)
        #expect(RFC3339.format(milliseconds: milliseconds, fraction: .trimmed) == trimmed)
    }

    @Test func instantsOutsideFourDigitYearsAreClamped() {
        #expect(RFC3339.format(milliseconds: .max) == "9999-12-31T23:59:59.999Z")
        #expect(RFC3339.format(milliseconds: .min) == "0000-01-01T00:00:00.000Z")
    }

    /// The C library's `gmtime_r` as an independent oracle, on seeded random instants 1900–2200.
    @Test func agreesWithGmtimeOnRandomInstants() {
        var state: UInt64 = 0x9E37_79B9_7F4A_7C15
        for _ in 0..<5000 {
            state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            let milliseconds = Int64(state >> 20) % 9_467_280_000_000 - 2_208_988_800_000
            var seconds = time_t(milliseconds >= 0 ? milliseconds / 1000 : (milliseconds - 999) / 1000)
            var parts = tm()
            gmtime_r(&seconds, &parts)
            let fraction = ((milliseconds % 1000) + 1000) % 1000
            let expected = String(format: "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ", Int(parts.tm_year) + 1900, Int(parts.tm_mon) + 1,
                                  Int(parts.tm_mday), Int(parts.tm_hour), Int(parts.tm_min), Int(parts.tm_sec), Int(fraction))
            #expect(RFC3339.format(milliseconds: milliseconds) == expected, "ms \(milliseconds)")
        }
    }
}
