public import Transport

extension SignalHistory {
    /// Replays an event file through `analyzer` at full speed on event time, sampling the
    /// analyzer's snapshot into the history every `interval` ms of event time — what a live
    /// `vigil serve` would have charted, from a file.
    ///
    /// Sampling moments are the first event's time plus k · `interval` (k ≥ 1): each is taken just
    /// before the first event at or after it, after moving the analyzer's clock there (so policy
    /// timers fire as they would live). A last sample is taken at the latest event's time. Events
    /// must come in time order, as the relay's tap and `vigil simulate` write them.
    ///
    /// - Parameters:
    ///   - alerting: the businesses with an active alert at a sampling moment (tracked first).
    ///   - malformed: called with each malformed line (skipped).
    ///   - progress: called every `progressInterval` lines and once at the end.
    /// - Returns: what was read.
    @discardableResult
    public mutating func replay(
        _ reader: EventStreamReader, through analyzer: IntegrityAnalyzer, every interval: Int64,
        progressInterval: Int = 65_536, alerting: () -> Set<PhoneNumber> = { [] },
        malformed: (EventLineError) -> Void, progress: (IntegrityAnalyzer.ReplayProgress) -> Void = { _ in }
    ) throws(EventReadError) -> IntegrityAnalyzer.ReplayProgress {
        precondition(interval > 0, "the sampling interval is positive")
        var state = IntegrityAnalyzer.ReplayProgress()
        var nextSample: Int64?
        var untilReport = progressInterval
        while let item = try reader.next() {
            switch item {
            case let .event(event):
                if nextSample == nil { nextSample = event.time + interval }
                while let due = nextSample, event.time >= due {
                    sample(analyzer, at: due, alerting: alerting())
                    nextSample = due + interval
                }
                if analyzer.ingest(event) != nil { state.events += 1 } else { state.dropped += 1 }
            case let .malformed(error):
                state.malformed += 1
                malformed(error)
            }
            untilReport -= 1
            if untilReport <= 0 {
                untilReport = progressInterval
                state.lines = reader.linesRead
                state.bytes = reader.bytesRead
                progress(state)
            }
        }
        if let now = analyzer.now { sample(analyzer, at: now, alerting: alerting()) }
        state.lines = reader.linesRead
        state.bytes = reader.bytesRead
        progress(state)
        return state
    }

    /// Moves the analyzer's clock to `time` and records its snapshot then.
    private mutating func sample(_ analyzer: IntegrityAnalyzer, at time: Int64, alerting: Set<PhoneNumber>) {
        if let latestTime, time <= latestTime { return }
        analyzer.advance(to: time)
        record(analyzer.snapshot(at: time), at: time, alerting: alerting)
    }
}
