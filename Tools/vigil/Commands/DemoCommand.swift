import Foundation
import Glibc

/// `vigil demo`: the whole system on one machine over loopback — the relay as its own process,
/// the Cloud API endpoint, a webhook server per business and thousands of end-to-end encrypted
/// phones playing the integrity scenarios — then the per-business tables and a visibility audit
/// proving the transport side never held a byte of content.
struct DemoCommand: Command {
    static let help = """
        USAGE: vigil demo [--users N] [--businesses M] [--seed S] [--duration SECONDS] [--speed X] [--data DIR] [--keep]
                          [--json | --open]

        Runs Vigil end to end on this machine, over real loopback TCP and HTTP, with embedded
        defaults (no external service):
          - the transport side as its own process: this binary as `vigil serve` — the relay with its
            durable queue and metadata tap (DIR/relay/tap.jsonl), the integrity analyzer on that
            tap answering admission, its HTTP API and dashboard;
          - the Cloud API endpoint with M businesses (keys sealed in DIR/cloudapi), and a webhook
            server per business that checks every notification's X-Hub-Signature-256;
          - N users' phones (X3DH + Double Ratchet, non-blocking relay links on load loops).
        Businesses play the integrity scenarios: an honest retailer with a flash sale, an OTP
        sender, a bulk blaster trying to reach every user, a slow-drip spammer, a cold-list
        marketer, an honest business under a report-bombing campaign, and ordinary businesses.
        Users write first, read, block and report. Every plaintext carries a random canary.
        Prints progress on stderr, then a table per business (traffic from the relay's tap; quality
        rating, tier, status and alerts from the analyzer), the alerts that fired and why, the
        Cloud API's webhook counts, consistency checks, the anonymized export it wrote
        (DIR/export), and the audit: the relay's memory (read while it runs) and files, and the
        Cloud API's store files, must hold no canary — while the scans find it where plaintext
        legitimately is. Exits 1 on any violation — content seen by the transport, an abusive
        business that left evidence not caught, an honest one treated as abusive — 130 if
        interrupted.

        Event time: the analyzer inside the transport process runs on a clock --speed times faster
        than wall time from the first event of the traffic, for --duration seconds — by default a
        simulated week in 60 s, so its 24-hour limits, hourly quality scores, tier upgrades over
        days, restrictions and alerts all move. The drain and the audit after it run at wall speed.
        Not scaled: network timeouts, the Cloud API's own 24-hour windows, and the per-second
        admission rates (pair rate, throughput), which stay rates per real second.

        OPTIONS:
          --users N           users (phones), 10…20000 (default 2000)
          --businesses M      businesses, 1…100 (default 12; the first six play the featured scenarios)
          --seed S            seed of the plan, an unsigned 64-bit integer (default 2026)
          --duration SECONDS  seconds of traffic, 1…600 (default 60)
          --speed X           event seconds per wall second in the analyzer during the traffic,
                              1…1000000 (default 10080: 7 days in 60 s; 1: real time)
          --data DIR          where to keep everything (must be new or empty; kept); default: a
                              fresh temporary directory, printed and removed at the end
          --keep              keep the temporary data directory
          --json              print the summary as one JSON object instead of the tables
          --open              after the report, keep the transport process serving its dashboard
                              (http://…/, Basic auth with the printed token) until SIGINT or SIGTERM;
                              its files are scanned once it stops (the last line); not with --json
          --help              this text
        """

    let options: DemoOptions

    init(parsing arguments: inout Arguments) throws(CLIError) {
        var options = DemoOptions()
        options.users = try arguments.integer("--users", in: 10...20_000) ?? options.users
        options.businesses = try arguments.integer("--businesses", in: 1...100) ?? options.businesses
        options.seed = try arguments.option("--seed", as: "an unsigned 64-bit integer", { UInt64($0) }) ?? options.seed
        options.duration = Double(try arguments.integer("--duration", in: 1...600) ?? Int(options.duration))
        options.speed = try Self.speed(arguments.option("--speed")) ?? options.speed
        options.open = arguments.flag("--open")
        options.dataDirectory = try arguments.option("--data")
        options.keep = arguments.flag("--keep")
        options.json = arguments.flag("--json")
        if options.open, options.json { throw CLIError("--open serves the dashboard after the report; it cannot be combined with --json") }
        if let data = options.dataDirectory {
            guard !data.isEmpty else { throw CLIError("--data needs a directory") }
            if let entries = try? FileManager.default.contentsOfDirectory(atPath: data), !entries.isEmpty {
                throw CLIError("--data \(data) is not empty; give a new or empty directory")
            }
            var status = stat()
            if stat(data, &status) == 0, status.st_mode & S_IFMT != S_IFDIR { throw CLIError("--data \(data) is not a directory") }
        }
        self.options = options
    }

    /// `--speed X`: a finite number in 1…``DemoOptions/maximumSpeed``.
    static func speed(_ text: String?) throws(CLIError) -> Double? {
        guard let text else { return nil }
        guard let speed = Double(text), speed.isFinite, speed >= 1, speed <= DemoOptions.maximumSpeed else {
            throw CLIError("--speed takes a number from 1 to \(Int(DemoOptions.maximumSpeed)) (event seconds per wall second), got '\(text)'")
        }
        return speed
    }

    /// Parses, runs, prints; 0 on a passing verdict, 1 on a violation or failure, 2 on a usage
    /// error, 130 when interrupted.
    static func main(_ arguments: [String]) -> Int32 {
        var parsed = Arguments(arguments)
        if parsed.wantsHelp {
            print(help)
            return 0
        }
        let command: DemoCommand
        do {
            command = try DemoCommand(parsing: &parsed)
            try parsed.finish()
        } catch {
            Console.error("\(error) (see --help)")
            return 2
        }
        return command.execute()
    }

    func run() throws {
        let status = execute()
        if status != 0 { throw DemoError("demo failed (exit status \(status))") }
    }

    /// The run; returns the exit status.
    private func execute() -> Int32 {
        // Before any thread starts, so that every thread inherits the blocked mask.
        let interrupts = DemoInterrupts()
        let directory: String
        let temporary: Bool
        do throws(DemoError) {
            (directory, temporary) = try Self.dataDirectory(options.dataDirectory)
        } catch {
            Console.error("\(error)")
            return 1
        }
        let kept = !temporary || options.keep
        Console.progress("vigil demo: \(options.users) users, \(options.businesses) businesses, \(Int(options.duration)) s of traffic, seed \(options.seed); data in \(directory)\(kept ? "" : " (removed at the end; --keep keeps it)")")
        let run = DemoRun(options: options, interrupts: interrupts)
        defer {
            run.tearDown()
            if !kept { try? FileManager.default.removeItem(atPath: directory) }
        }
        do throws(DemoError) {
            let outcome = try run.run(in: directory, kept: kept)
            print(options.json ? DemoReport.json(outcome) : DemoReport.text(outcome))
            fflush(nil)
            let violations = outcome.violations
            Console.progress("vigil demo: \(violations.isEmpty ? "PASS" : "FAIL (\(violations.count) violations)") in \(Int(outcome.timings.total.rounded())) s")
            let status: Int32 = violations.isEmpty ? 0 : 1
            guard options.open else { return status }
            return max(status, try DemoOpenDashboard(run: run, interrupts: interrupts).serve())
        } catch {
            Console.error("demo: \(error)")
            return error.isInterruption ? 130 : 1
        }
    }

    /// `--data DIR` (created like `mkdir -p`, mode 0700) or a fresh temporary directory.
    private static func dataDirectory(_ given: String?) throws(DemoError) -> (String, Bool) {
        if let given {
            do {
                try FileManager.default.createDirectory(atPath: given, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
            } catch {
                throw DemoError("cannot create \(given): \(error.localizedDescription)")
            }
            return (given, false)
        }
        let base = ProcessInfo.processInfo.environment["TMPDIR"].flatMap { $0.isEmpty ? nil : $0 } ?? "/tmp"
        var template = Array((base + "/vigil-demo-XXXXXX").utf8CString)
        guard let made = template.withUnsafeMutableBufferPointer({ buffer in buffer.baseAddress.flatMap { mkdtemp($0) } }) else {
            throw DemoError("cannot create a temporary directory in \(base): \(String(cString: strerror(errno)))")
        }
        return (String(cString: made), true)
    }
}
