import Transport

/// Report intake's decisions, as a pure value: a batch of items goes in, each comes out accepted
/// (as a pseudonymized `report` event) or rejected with a ``ReportRejection``. No I/O and no
/// clock: the caller passes `now`, and the analyzer answers through a ``ReportOracle``.
///
/// Each item, in order:
/// 1. items that failed to parse keep their rejection (``ReportRequest``);
/// 2. time: a missing `t` is `now`; later than `now` + skew → `invalid_time`, older than the
///    proof window → `too_old`; reporter = business → `self_report`;
/// 3. the reporter is pseudonymized (a key failure → `unavailable`);
/// 4. the reporter's token bucket (GCRA on event time, per reporter pseudonym) → `rate_limited`;
///    every report that gets this far takes a token, so probing costs the same as reporting;
/// 5. one report per (reporter, business) among the accepted reports not yet settled, then the
///    analyzer's standing: `duplicate` (already counted in 7 days), `no_contact`, `not_sampled`,
///    or accepted.
///
/// Accepted reports are not applied here: the caller logs them, applies them to the analyzer once
/// the log's commit made them durable — or drops them if it failed — and then calls ``settle()``.
/// Until then the intake itself remembers their (reporter, business) pairs, so a second report
/// of a pair in the same commit is a duplicate, and after a failed commit a retry is not.
public struct ReportIntake: Sendable {
    /// The knobs.
    public let configuration: ReportIntakeConfiguration
    /// Per-reporter buckets (GCRA: one theoretical arrival time each).
    var buckets: [Pseudonym: RateGate] = [:]
    /// Counters.
    public private(set) var statistics = Statistics()
    /// Pairs accepted since the last ``settle()``: not yet visible in the analyzer's standing.
    var unsettled = Set<PairKey>()

    /// Counts of decisions so far.
    public struct Statistics: Sendable, Hashable {
        /// Reports accepted.
        public var accepted = 0
        /// Rejections by reason.
        public var rejected: [ReportRejection: Int] = [:]
        /// Times rested buckets were dropped to stay within ``ReportIntakeConfiguration/trackedReporters``.
        public var bucketSweeps = 0
    }

    /// An intake with `configuration` (validated).
    public init(configuration: ReportIntakeConfiguration = ReportIntakeConfiguration()) throws(ReportIntakeConfiguration.Invalid) {
        try configuration.validate()
        self.configuration = configuration
    }

    /// Decides a batch at `now`. `items` are the request's items in order, each parsed or already
    /// rejected; the batch size is the request layer's to check (413).
    public mutating func decide(
        _ items: [Result<ReportSubmission, ReportRejection>], now: Int64, oracle: some ReportOracle
    ) -> ReportBatchOutcome {
        var outcome = ReportBatchOutcome()
        for (index, item) in items.enumerated() {
            switch decide(item, now: now, oracle: oracle) {
            case let .success(event):
                outcome.accepted.append(AcceptedReport(index: index, event: event, envelopeID: try? item.get().envelopeID))
                statistics.accepted += 1
            case let .failure(reason):
                outcome.rejected.append((index, reason))
                statistics.rejected[reason, default: 0] += 1
            }
        }
        return outcome
    }

    /// Forgets the pairs accepted so far: call once their reports were applied to the analyzer
    /// (whose standing then answers `duplicate` for them) or dropped after a failed commit (so
    /// that the reporters' retries are decided afresh).
    public mutating func settle() {
        unsettled.removeAll(keepingCapacity: true)
    }

    /// The number of reporters whose bucket is held.
    public var trackedReporterCount: Int { buckets.count }

    /// A reporter–business pair accepted and not yet settled.
    struct PairKey: Hashable {
        let reporter: Pseudonym
        let business: PhoneNumber
    }

    private mutating func decide(
        _ item: Result<ReportSubmission, ReportRejection>, now: Int64, oracle: some ReportOracle
    ) -> Result<PseudonymizedEvent, ReportRejection> {
        let submission: ReportSubmission
        switch item {
        case let .success(parsed): submission = parsed
        case let .failure(reason): return .failure(reason)
        }
        let time = submission.time ?? now
        guard IntegrityEvent.timeRange.contains(time), time <= now &+ configuration.maximumFutureSkewMilliseconds else {
            return .failure(.invalidTime)
        }
        guard now - time <= configuration.maximumAgeMilliseconds else { return .failure(.tooOld) }
        guard submission.reporter != submission.business else { return .failure(.selfReport) }
        let pair: PseudonymPair
        do {
            pair = try oracle.pseudonyms(for: submission.reporter, at: time)
        } catch {
            return .failure(.unavailable)
        }
        guard takeToken(for: pair.current, at: time) else { return .failure(.rateLimited) }
        let key = PairKey(reporter: pair.current, business: submission.business)
        guard !unsettled.contains(key) else { return .failure(.duplicate) }
        switch oracle.standing(ofReportFrom: pair, about: submission.business, at: time) {
        case .provable:
            unsettled.insert(key)
            return .success(PseudonymizedEvent(time: time, business: submission.business, user: pair, kind: .report(submission.reason)))
        case .duplicate: return .failure(.duplicate)
        case .noContact: return .failure(.noContact)
        case .notSampled: return .failure(.notSampled)
        }
    }

    /// Takes one token from `reporter`'s bucket at `time`; false when it is empty.
    private mutating func takeToken(for reporter: Pseudonym, at time: Int64) -> Bool {
        let interval = configuration.reporterIntervalMilliseconds
        var gate = buckets[reporter] ?? RateGate()
        guard gate.wait(at: time, interval: interval, burst: configuration.reporterBurst) == 0 else { return false }
        gate.take(at: time, interval: interval)
        if buckets.count >= configuration.trackedReporters, buckets[reporter] == nil {
            buckets = buckets.filter { !$0.value.isRested(at: time) }
            statistics.bucketSweeps += 1
        }
        buckets[reporter] = gate
        return true
    }
}
