public import Transport

/// How the report service authenticates, decides and snapshots.
public struct ReportServiceConfiguration: Sendable {
    /// The digest of the admin token every request must carry; the token itself is not kept.
    public var tokenDigest: TokenDigest
    /// Digests the token a request presents, for a constant-time comparison with ``tokenDigest``
    /// (`vigil` passes SHA-256; `Integrity` links no hash of its own, DESIGN.md rule 1).
    public var tokenHasher: TokenHasher
    /// Report intake's knobs.
    public var intake = ReportIntakeConfiguration()
    /// Report items each connection may submit per second to `POST /v1/reports`; a connection
    /// over it is answered 429 with `Retry-After` until it is back under, each 429 held for the
    /// wait (at most ``ReportService/longestRefusalDelay``) so that ignoring it gains nothing (see
    /// ``ReportConnectionBudget``). Default 10 000 — 10 full batches a second, far above a
    /// reporting backend, and a bounded share of the event loop the relay shares.
    public var itemsPerConnectionPerSecond = 10_000
    /// Items a rested connection may submit at once, at least one full batch. Default 2 000.
    public var itemBurstPerConnection = 2_000
    /// Snapshot the analyzer after this many committed reports. Default 10 000.
    public var snapshotEveryReports = 10_000
    /// …or after this much wall time with at least one new report. Default 5 minutes.
    public var snapshotInterval: Duration = .seconds(300)
    /// Also snapshot on that interval when only other events changed the analyzer (`vigil serve`,
    /// where the relay's events carry most of the state). Default false (reports only).
    public var snapshotsFollowEveryEvent = false

    /// A configuration accepting the token whose digest (by `tokenHasher`) is `tokenDigest`,
    /// with the defaults.
    public init(tokenDigest: TokenDigest, tokenHasher: TokenHasher) {
        self.tokenDigest = tokenDigest
        self.tokenHasher = tokenHasher
    }

    /// Whether an `Authorization` header value carries the admin token: its token (``ReportService/presentedToken(_:)``)
    /// digested and compared with ``tokenDigest`` in constant time. A missing header, an unknown
    /// scheme, or a failing hasher is a refusal.
    public func authorizes(_ authorization: String?) -> Bool {
        guard let authorization, let presented = ReportService.presentedToken(Array(authorization.utf8)),
              let digest = tokenHasher.digest(of: presented) else { return false }
        return digest == tokenDigest
    }
}
