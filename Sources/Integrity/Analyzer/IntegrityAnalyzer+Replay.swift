extension IntegrityAnalyzer {
    /// How far a replay has got.
    public struct ReplayProgress: Sendable, Hashable {
        /// Lines read (blank and malformed included).
        public var lines = 0
        /// Events applied.
        public var events = 0
        /// Malformed lines skipped.
        public var malformed = 0
        /// Events dropped by the analyzer (time out of range, key destroyed).
        public var dropped = 0
        /// Bytes read.
        public var bytes = 0

        /// Nothing yet.
        public init() {}
    }

    /// Replays an event file at full speed on event time: each valid line is applied, each
    /// malformed one is handed to `malformed` (with its line number) and skipped. `progress` is
    /// called every `interval` lines and once at the end; the caller decides from it when to
    /// report (the analyzer reads no clock).
    @discardableResult
    public func replay(
        _ reader: EventStreamReader, interval: Int = 65_536,
        malformed: (EventLineError) -> Void, progress: (ReplayProgress) -> Void = { _ in }
    ) throws(EventReadError) -> ReplayProgress {
        var state = ReplayProgress()
        var untilReport = interval
        while let item = try reader.next() {
            switch item {
            case let .event(event):
                if ingest(event) != nil { state.events += 1 } else { state.dropped += 1 }
            case let .malformed(error):
                state.malformed += 1
                malformed(error)
            }
            untilReport -= 1
            if untilReport <= 0 {
                untilReport = interval
                state.lines = reader.linesRead
                state.bytes = reader.bytesRead
                progress(state)
            }
        }
        state.lines = reader.linesRead
        state.bytes = reader.bytesRead
        progress(state)
        return state
    }
}
