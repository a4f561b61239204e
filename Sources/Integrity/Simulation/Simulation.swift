/// Generates labeled workloads for the integrity analyzer: `vigil simulate`.
///
/// The week is cut into one-hour slices. For each slice every actor starts the acts that begin in
/// it and pushes their whole cascades (deliveries, reads, replies, blocks, reports — most of them
/// later) into one min-heap; then every event earlier than the slice's end is popped and written.
/// Memory is bounded by the events in flight (at most a few days of consequences), never by the
/// file, and output is sorted by time. All randomness comes from seeded `SimulationRandom` streams and
/// the start time is fixed, so the same parameters give byte-identical output.
public enum Simulation {
    /// Where a running simulation is.
    public struct Progress: Sendable {
        /// Events written so far.
        public let events: Int
        /// The share of the simulated week done (0…1).
        public let fraction: Double
    }

    /// What a finished simulation produced.
    public struct Result: Sendable {
        /// The labels sidecar.
        public let labels: SimulationLabels
        /// How many events were written.
        public let events: Int
        /// How many users the population holds (not all of them appear).
        public let users: Int
    }

    /// Output is handed to `write` in chunks of about this many bytes.
    public static let chunkSize = 1 << 20

    /// Runs `parameters`' scenario, handing the JSONL bytes to `write` in order and reporting
    /// `progress` after each simulated hour.
    public static func generate<Failure: Error>(
        _ parameters: SimulationParameters,
        write: ([UInt8]) throws(Failure) -> Void,
        progress: (Progress) -> Void = { _ in }
    ) throws(Failure) -> Result {
        var cast = SimulationCast(parameters)
        let encoder = SimulationLineEncoder(
            businessNumbers: cast.emitter.businesses.map(\.number), population: cast.emitter.population)
        var eventsPerBusiness = [Int](repeating: 0, count: cast.emitter.businesses.count)
        var buffer: [UInt8] = []
        buffer.reserveCapacity(chunkSize + 512)
        var events = 0
        var sliceStart = SimulationCalendar.start
        while sliceStart < SimulationCalendar.end {
            let slice = sliceStart..<(sliceStart + SimulationCalendar.hour)
            for index in cast.actors.indices {
                cast.actors[index].generate(in: slice, into: &cast.emitter)
            }
            while let event = cast.emitter.queue.popEarliest(before: slice.upperBound) {
                encoder.append(event, to: &buffer)
                eventsPerBusiness[Int(event.business)] += 1
                events += 1
                if buffer.count >= chunkSize {
                    try write(buffer)
                    buffer.removeAll(keepingCapacity: true)
                }
            }
            sliceStart = slice.upperBound
            progress(Progress(
                events: events,
                fraction: Double(sliceStart - SimulationCalendar.start) / Double(SimulationCalendar.duration)))
        }
        if !buffer.isEmpty { try write(buffer) }
        return Result(
            labels: labels(parameters, businesses: cast.emitter.businesses, eventsPerBusiness: eventsPerBusiness),
            events: events, users: cast.emitter.population.size)
    }

    /// The sidecar for the businesses that appeared in the events.
    private static func labels(
        _ parameters: SimulationParameters, businesses: [SimulationBusiness], eventsPerBusiness: [Int]
    ) -> SimulationLabels {
        var entries: [SimulationLabels.Business] = []
        for (index, business) in businesses.enumerated() where eventsPerBusiness[index] > 0 {
            let window = business.window.map { $0.first...$0.last }
                ?? SimulationCalendar.start...(SimulationCalendar.end - 1)
            entries.append(SimulationLabels.Business(
                business: String(decoding: business.number, as: UTF8.self), behaviour: business.behaviour, window: window))
        }
        return SimulationLabels(
            scenario: parameters.scenario.rawValue, seed: parameters.seed, scale: parameters.scale,
            start: SimulationCalendar.start, end: SimulationCalendar.end, businesses: entries)
    }
}
