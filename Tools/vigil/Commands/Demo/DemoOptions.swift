import Integrity

/// `vigil demo`'s options.
struct DemoOptions: Sendable {
    /// Users (phones).
    var users = 2_000
    /// Businesses.
    var businesses = 12
    /// The plan's seed.
    var seed: UInt64 = 2026
    /// Seconds of traffic: with the default ``speed``, one simulated week.
    var duration = 60.0
    /// Event seconds per wall second in the transport child's analyzer during the traffic
    /// (`vigil serve --time-scale`); the default makes 7 simulated days take 60 s.
    var speed = DemoOptions.weekPerMinute
    /// The data directory; a fresh temporary one when nil.
    var dataDirectory: String?
    /// Keep the temporary data directory.
    var keep = false
    /// Print the summary as JSON.
    var json = false
    /// Keep the transport child and its dashboard serving after the report, until SIGINT/SIGTERM.
    var open = false

    /// 7 days of event time in 60 s of wall time: 10 080.
    static let weekPerMinute = 7.0 * 86_400 / 60
    /// The fastest `--speed` (`vigil serve --time-scale`'s limit).
    static let maximumSpeed = TimeWarp.maximumFactor

    /// Event seconds the traffic covers in the analyzer.
    var simulatedSeconds: Double { duration * speed }
}
