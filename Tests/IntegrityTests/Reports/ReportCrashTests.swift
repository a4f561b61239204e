import Foundation
import Glibc
import Testing
import Transport

/// SIGKILL during report intake loses no acknowledged report: `vigil report-intake` answers 202
/// only after the batch is committed (`synchronous=FULL`), so after a kill mid-stream and a
/// restart (snapshot + log, no event file) every report it acknowledged is still counted — and
/// none twice.
@Suite("report intake survives SIGKILL", .timeLimit(.minutes(3)))
struct ReportCrashTests {
    static let business = "+14155550100"
    static let reporters = (0..<400).map { "+4477009\(String(format: "%05d", $0))" }
    static let token = "crash-test-token-0123456789"

    /// A background process running `vigil arguments…`, its first stdout line awaited.
    final class Child {
        let process = Process()
        let port: UInt16
        let errorPath: String

        init(_ arguments: [String], in work: URL) throws {
            guard FileManager.default.isExecutableFile(atPath: VigilBinary.path.path) else { throw VigilBinary.NotBuilt(path: VigilBinary.path.path) }
            let out = work.appendingPathComponent("out-\(UUID().uuidString)").path
            errorPath = work.appendingPathComponent("err-\(UUID().uuidString)").path
            guard FileManager.default.createFile(atPath: out, contents: nil),
                  FileManager.default.createFile(atPath: errorPath, contents: nil) else { throw CrashTestFailure("cannot create \(out)") }
            process.executableURL = VigilBinary.path
            process.arguments = arguments
            process.standardOutput = try FileHandle(forWritingTo: URL(fileURLWithPath: out))
            process.standardError = try FileHandle(forWritingTo: URL(fileURLWithPath: errorPath))
            try process.run()
            let deadline = ContinuousClock.now + .seconds(30)
            while true {
                let text = (try? String(contentsOfFile: out, encoding: .utf8)) ?? ""
                if let line = text.split(separator: "\n").first, text.contains("\n"),
                   let port = UInt16(line.split(separator: ":").last ?? "") {
                    self.port = port
                    return
                }
                guard process.isRunning, ContinuousClock.now < deadline else {
                    if process.isRunning { kill(process.processIdentifier, SIGKILL) }
                    throw CrashTestFailure("no address; stderr: \((try? String(contentsOfFile: errorPath, encoding: .utf8)) ?? "")")
                }
                usleep(10_000)
            }
        }

        deinit {
            if process.isRunning { kill(process.processIdentifier, SIGKILL) }
            process.waitUntilExit()
        }
    }

    /// A value several threads append to.
    ///
    /// Behind an `NSLock` (a pthread mutex) rather than `Synchronization.Mutex`: on Linux a
    /// contended `Mutex` is handed over by the kernel (`FUTEX_LOCK_PI`), which ThreadSanitizer cannot
    /// see, so it reported the posters' appends as a race (Tests/sanitizers/README.md). With a lock
    /// TSan understands, this test stays checked for real races.
    /// `@unchecked Sendable`: `value` is only touched inside `withLock`, which holds `lock`.
    final class Shared<Value: Sendable>: @unchecked Sendable {
        private let lock = NSLock()
        private var value: Value
        init(_ value: Value) { self.value = value }
        func withLock<Result: Sendable>(_ body: (inout Value) -> Result) -> Result {
            lock.lock()
            defer { lock.unlock() }
            return body(&value)
        }
    }

    struct CrashTestFailure: Error, CustomStringConvertible {
        let description: String
        init(_ description: String) { self.description = description }
    }

    /// One message and its delivery per reporter, an hour ago: every reporter has proof of contact.
    static func events() -> String {
        let start = Int64(Date().timeIntervalSince1970 * 1000) - 3_600_000
        var lines = ""
        for (index, user) in reporters.enumerated() {
            let t = start + Int64(index) * 10
            lines += #"{"t":\#(t),"kind":"message","business":"\#(business)","user":"\#(user)","dir":"b2u","bytes":512,"category":"marketing"}"# + "\n"
            lines += #"{"t":\#(t + 5),"kind":"delivered","business":"\#(business)","user":"\#(user)"}"# + "\n"
        }
        return lines
    }

    static func post(_ client: HTTPBlockingClient, port: UInt16, body: String) throws -> (status: Int, json: [String: Any]?) {
        let url = try HTTPURL(parsing: "http://127.0.0.1:\(port)/v1/reports")
        var headers = HTTPHeaders()
        headers.add(name: "Authorization", value: "Bearer \(token)")
        headers.add(name: "Content-Type", value: "application/json")
        let response = try client.execute(HTTPClientRequest(method: .post, url: url, headers: headers, body: Array(body.utf8), timeout: .seconds(5)))
        return (response.status.code, try? JSONSerialization.jsonObject(with: Data(response.body)) as? [String: Any])
    }

    static func batch(_ reporters: ArraySlice<String>) -> String {
        #"{"reports":["# + reporters.map { #"{"reporter":"\#($0)","business":"\#(business)","reason":"spam"}"# }.joined(separator: ",") + "]}"
    }

    @Test func everyAcknowledgedReportSurvivesSIGKILLExactlyOnce() throws {
        let work = try VigilBinary.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: work) }
        let events = work.appendingPathComponent("events.jsonl").path
        try Self.events().write(toFile: events, atomically: false, encoding: .utf8)
        let tokenFile = work.appendingPathComponent("token").path
        try (Self.token + "\n").write(toFile: tokenFile, atomically: false, encoding: .utf8)
        try FileManager.default.setAttributes([.posixPermissions: 0o600], ofItemAtPath: tokenFile)
        let db = work.appendingPathComponent("db").path
        let base = ["report-intake", "--listen", "127.0.0.1:0", "--db", db, "--token-file", tokenFile, "--snapshot-every", "40"]
        let first = try Child(base + ["--events", events], in: work)

        // Four posters, batches of 5 distinct reporters each; the kill lands mid-stream.
        let acknowledged = Shared<[String]>([])
        let attempted = Shared<[String]>([])
        let posters = 4, perBatch = 5
        let group = DispatchGroup()
        for poster in 0..<posters {
            group.enter()
            Thread.detachNewThread { [port = first.port] in
                defer { group.leave() }
                guard let client = try? HTTPBlockingClient() else { return }
                defer { client.close() }
                var offset = poster * perBatch
                while offset < Self.reporters.count {
                    let slice = Self.reporters[offset..<min(offset + perBatch, Self.reporters.count)]
                    attempted.withLock { $0 += slice }
                    guard let (status, json) = try? Self.post(client, port: port, body: Self.batch(slice)) else { return }
                    guard status == 202, let json else { return }
                    let rejected = Set(((json["rejected"] as? [[String: Any]]) ?? []).compactMap { $0["index"] as? Int })
                    let accepted = slice.enumerated().filter { !rejected.contains($0.offset) }.map(\.element)
                    acknowledged.withLock { $0 += accepted }
                    offset += posters * perBatch
                }
            }
        }
        let deadline = ContinuousClock.now + .seconds(60)
        while acknowledged.withLock({ $0.count }) < 120, ContinuousClock.now < deadline { usleep(1_000) }
        kill(first.process.processIdentifier, SIGKILL)
        first.process.waitUntilExit()
        #expect(first.process.terminationReason == .uncaughtSignal)
        group.wait()

        let acked = acknowledged.withLock { $0 }
        let tried = attempted.withLock { $0 }
        #expect(acked.count >= 120, "the kill came after \(acked.count) acknowledged reports")
        #expect(Set(acked).count == acked.count)

        // Restart from the snapshot and the log alone.
        let second = try Child(base, in: work)
        let restartLog = (try? String(contentsOfFile: second.errorPath, encoding: .utf8)) ?? ""
        #expect(restartLog.contains("restored"), "\(restartLog)")
        let client = try HTTPBlockingClient()
        defer { client.close() }
        let url = try HTTPURL(parsing: "http://127.0.0.1:\(second.port)/v1/signals/\(Self.business)")
        var headers = HTTPHeaders()
        headers.add(name: "Authorization", value: "Bearer \(Self.token)")
        let response = try client.execute(HTTPClientRequest(method: .get, url: url, headers: headers, timeout: .seconds(5)))
        let signals = try #require(try JSONSerialization.jsonObject(with: Data(response.body)) as? [String: Any])
        let counted = try #require(signals["counted_reports"] as? Int)
        // Every acknowledged report is counted; at most the batches in flight at the kill were
        // committed without their answer; none is counted twice.
        #expect(counted >= acked.count, "counted \(counted) < acknowledged \(acked.count)")
        #expect(counted <= acked.count + posters * perBatch)
        #expect(counted <= Set(tried).count)

        // Each acknowledged report, sent again, is a duplicate: it is in the recovered state.
        for chunk in stride(from: 0, to: acked.count, by: 50) {
            let slice = acked[chunk..<min(chunk + 50, acked.count)]
            let (status, json) = try Self.post(client, port: second.port, body: Self.batch(slice))
            #expect(status == 202)
            #expect(json?["accepted"] as? Int == 0, "\(json ?? [:])")
            let reasons = ((json?["rejected"] as? [[String: Any]]) ?? []).compactMap { $0["reason"] as? String }
            #expect(reasons.count == slice.count && reasons.allSatisfy { $0 == "duplicate" }, "\(reasons)")
        }
        kill(second.process.processIdentifier, SIGTERM)
    }
}
