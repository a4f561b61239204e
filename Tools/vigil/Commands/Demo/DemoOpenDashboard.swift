import Foundation

/// `vigil demo --open`: after the report, the transport child keeps serving its dashboard and API
/// (its event time back at wall speed, so the charts keep the simulated week) until SIGINT or
/// SIGTERM; then it is stopped and its files get the audit's after-stop scan, the one the report
/// could not include.
struct DemoOpenDashboard {
    /// The finished run, its relay child still up.
    let run: DemoRun
    /// Where the stop request comes from.
    let interrupts: DemoInterrupts

    /// Prints where the dashboard is and how to sign in, waits for SIGINT/SIGTERM, stops the
    /// transport child and scans its files. Returns 0 when they hold no canary, 1 otherwise (or
    /// when the child ended on its own).
    func serve() throws(DemoError) -> Int32 {
        guard let relay = run.relay, relay.isRunning else { throw DemoError("--open: the transport process is no longer running") }
        let token: String
        do throws(CLIError) {
            token = String(decoding: try FileIO.read(relay.tokenPath), as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
        } catch {
            throw DemoError("--open: cannot read the dashboard's token: \(error)")
        }
        let url = "http://\(relay.httpAddress)/"
        print("""

            dashboard: \(url) — served by the transport process (pid \(relay.pid)) until SIGINT or SIGTERM (Ctrl-C)
              browser: Basic authentication, any user name, password \(token) (the token in \(relay.tokenPath))
              API:     curl -H 'Authorization: Bearer \(token)' \(url)v1/alerts
            """)
        fflush(nil)
        Console.progress("[\(run.stamp)] open: dashboard \(url) until SIGINT or SIGTERM")
        var signal: String?
        while signal == nil {
            signal = interrupts.wait(upTo: .milliseconds(500))
            if signal == nil, !relay.isRunning {
                print("the transport process ended on its own (\(relay.exit ?? "?")); see \(relay.logPath)")
                return 1
            }
        }
        guard let stopped = run.stopTransport() else { throw DemoError("--open: the audit's scanner is missing") }
        let clean = stopped.files.canaryHits == 0
        print("\(signal ?? "signal"): transport process \(stopped.exit); its files after SIGTERM (\(stopped.files.scan.sources)): "
            + "canary \(stopped.files.canaryHits)× — \(clean ? "clean" : "VIOLATION: \(stopped.files.scan.locations.prefix(3).joined(separator: "; "))")")
        fflush(nil)
        return clean ? 0 : 1
    }
}
