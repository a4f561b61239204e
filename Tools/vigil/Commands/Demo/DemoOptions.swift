/// `vigil demo`'s options.
struct DemoOptions: Sendable {
    /// Users (phones).
    var users = 2_000
    /// Businesses.
    var businesses = 12
    /// The plan's seed.
    var seed: UInt64 = 2026
    /// Seconds of traffic.
    var duration = 20.0
    /// The data directory; a fresh temporary one when nil.
    var dataDirectory: String?
    /// Keep the temporary data directory.
    var keep = false
    /// Print the summary as JSON.
    var json = false
}
