/// How the report service authenticates, decides and snapshots.
public struct ReportServiceConfiguration: Sendable {
    /// The Bearer token every request must carry (compared in constant time).
    public var token: [UInt8]
    /// Report intake's knobs.
    public var intake = ReportIntakeConfiguration()
    /// Snapshot the analyzer after this many committed reports. Default 10 000.
    public var snapshotEveryReports = 10_000
    /// …or after this much wall time with at least one new report. Default 5 minutes.
    public var snapshotInterval: Duration = .seconds(300)
    /// Also snapshot on that interval when only other events changed the analyzer (`vigil serve`,
    /// where the relay's events carry most of the state). Default false (reports only).
    public var snapshotsFollowEveryEvent = false

    /// A configuration with `token` and the defaults.
    public init(token: [UInt8]) {
        self.token = token
    }
}

/// Byte comparison whose time depends only on the presented value's length, never on where the
/// first difference lies (so a token cannot be guessed byte by byte from response times).
enum ConstantTime {
    static func equals(_ presented: some Collection<UInt8>, _ expected: [UInt8]) -> Bool {
        var difference: UInt8 = presented.count == expected.count ? 0 : 1
        guard !expected.isEmpty else { return false }
        for (offset, byte) in presented.enumerated() {
            difference |= byte ^ expected[offset % expected.count]
        }
        return difference == 0
    }
}
