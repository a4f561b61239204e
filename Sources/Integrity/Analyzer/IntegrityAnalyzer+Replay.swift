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
    ///
    /// Valid events are applied in groups of up to ``grouping`` (see ``ingest(contentsOf:)-(ArraySlice<IntegrityEvent>)``;
    /// a group ends at every progress report): a malformed line may be reported before the events
    /// above it are applied; every event read is applied before `progress` is called and before
    /// a read error is thrown.
    @discardableResult
    public func replay(
        _ reader: EventStreamReader, interval: Int = 65_536,
        malformed: (EventLineError) -> Void, progress: (ReplayProgress) -> Void = { _ in }
    ) throws(EventReadError) -> ReplayProgress {
        var state = ReplayProgress()
        var untilReport = interval
        // Events go in groups through `ingest(contentsOf:)` (its look-ahead); a group is flushed
        // before every progress report, so reports count exactly the lines read so far.
        let groupSize = max(1, min(grouping, interval))
        var group: [IntegrityEvent] = []
        group.reserveCapacity(groupSize)
        func flush() {
            let applied = ingest(contentsOf: group)
            state.events += applied
            state.dropped += group.count - applied
            group.removeAll(keepingCapacity: true)
        }
        while true {
            let next: EventStreamReader.Item?
            do throws(EventReadError) {
                next = try reader.next()
            } catch {
                flush()
                throw error
            }
            guard let item = next else { break }
            switch item {
            case let .event(event):
                group.append(event)
                if group.count >= groupSize { flush() }
            case let .malformed(error):
                state.malformed += 1
                malformed(error)
            }
            untilReport -= 1
            if untilReport <= 0 {
                flush()
                untilReport = interval
                state.lines = reader.linesRead
                state.bytes = reader.bytesRead
                progress(state)
            }
        }
        flush()
        state.lines = reader.linesRead
        state.bytes = reader.bytesRead
        progress(state)
        return state
    }
}
