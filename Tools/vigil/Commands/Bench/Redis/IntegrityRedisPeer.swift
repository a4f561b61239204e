import Transport

/// The per-event updates of `vigil bench integrity` done the way a team would with Redis (as
/// Signal-Server keeps its rate limiters and abuse counters in Redis): for every event
///
///     PFADD  biz:{business}:users:{day} {user}      distinct users per business per day
///     INCR   biz:{business}:{kind}:{hour}           events per business, kind and hour
///     EXPIRE biz:{business}:{kind}:{hour} 172800    let the counter go after two days
///
/// pipelined (`eventsPerRoundTrip` events, three commands each, per round trip) against a local
/// `redis-server`. Commands are encoded before the clock starts, so only Redis and the loopback
/// round trips are timed.
struct IntegrityRedisPeer {
    /// One event as the peer sees it.
    struct Event {
        var business: UInt64
        var user: UInt64
        var time: Int64
        var kind: UInt8
    }

    /// What the run measured.
    struct Result {
        var events: Int
        var seconds: Double
        /// CPU time redis-server spent over the run (user + system, from /proc), if readable.
        var serverCPUSeconds: Double?
        var usedMemoryBytes: Int?
        var peakResidentMiB: Double?
        var version: String?
        var eventsPerSecond: Double { Double(events) / seconds }
        /// Events per second of the server's CPU time (what one Redis core could do, whatever
        /// else runs on the machine).
        var eventsPerServerCPUSecond: Double? { serverCPUSeconds.map { Double(events) / $0 } }
    }

    static let kindNames = ["b2u", "delivered", "read", "u2b", "block", "report"].map { Array($0.utf8) }

    let executable: String
    let eventsPerRoundTrip: Int

    /// Starts a server in `directory`, replays `events`, stops the server.
    func run(_ events: [Event], directory: String) throws(CLIError) -> Result {
        let pipelines = encode(events)
        let server = try RedisServerProcess(executable: executable, directory: directory)
        defer { server.stop() }
        let client = try RedisPipelineClient(address: server.address)
        let cpuBefore = server.cpuSeconds
        let start = BenchClock.now()
        for pipeline in pipelines {
            try client.execute(pipeline.bytes, replies: pipeline.commands)
        }
        let seconds = Double(BenchClock.now() - start) / 1e9
        let cpuAfter = server.cpuSeconds
        let serverCPU = cpuBefore.flatMap { before in cpuAfter.map { $0 - before } }
        return Result(events: events.count, seconds: seconds, serverCPUSeconds: serverCPU, usedMemoryBytes: client.usedMemory(),
                      peakResidentMiB: server.peakResidentMiB, version: server.version)
    }

    /// The RESP bytes of every pipeline.
    private func encode(_ events: [Event]) -> [(bytes: [UInt8], commands: Int)] {
        var pipelines: [(bytes: [UInt8], commands: Int)] = []
        var start = 0
        while start < events.count {
            let end = min(start + eventsPerRoundTrip, events.count)
            var bytes: [UInt8] = []
            bytes.reserveCapacity((end - start) * 200)
            for event in events[start..<end] { Self.append(event, to: &bytes) }
            pipelines.append((bytes, 3 * (end - start)))
            start = end
        }
        return pipelines
    }

    /// Appends the three commands of `event`.
    static func append(_ event: Event, to bytes: inout [UInt8]) {
        var key: [UInt8] = Array("biz:".utf8)
        appendDecimal(event.business, to: &key)
        let businessKey = key
        key += Array(":users:".utf8)
        appendDecimal(UInt64(event.time / 86_400_000), to: &key)
        var user: [UInt8] = []
        appendDecimal(event.user, to: &user)
        appendCommand([Array("PFADD".utf8), key, user], to: &bytes)

        var counter = businessKey
        counter.append(UInt8(ascii: ":"))
        counter += kindNames[Int(event.kind)]
        counter.append(UInt8(ascii: ":"))
        appendDecimal(UInt64(event.time / 3_600_000), to: &counter)
        appendCommand([Array("INCR".utf8), counter], to: &bytes)
        appendCommand([Array("EXPIRE".utf8), counter, Array("172800".utf8)], to: &bytes)
    }

    /// Appends a command as a RESP array of bulk strings.
    static func appendCommand(_ arguments: [[UInt8]], to bytes: inout [UInt8]) {
        bytes.append(UInt8(ascii: "*"))
        appendDecimal(UInt64(arguments.count), to: &bytes)
        bytes += [13, 10]
        for argument in arguments {
            bytes.append(UInt8(ascii: "$"))
            appendDecimal(UInt64(argument.count), to: &bytes)
            bytes += [13, 10]
            bytes += argument
            bytes += [13, 10]
        }
    }

    /// Appends `value` in decimal.
    static func appendDecimal(_ value: UInt64, to bytes: inout [UInt8]) {
        var digits: [UInt8] = []
        var rest = value
        repeat {
            digits.append(UInt8(ascii: "0") + UInt8(rest % 10))
            rest /= 10
        } while rest > 0
        bytes += digits.reversed()
    }
}
