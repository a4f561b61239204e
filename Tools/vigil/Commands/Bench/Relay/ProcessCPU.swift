import Glibc

/// CPU time (user + system) of threads and processes, from Linux's `/proc`: the benchmark reports
/// it per envelope, a figure that other load on a shared machine distorts far less than
/// throughput (which it throttles) — so changes to the relay or the Cloud API endpoint can be
/// compared across runs.
enum ProcessCPU {
    /// What the benchmark accounts for, by role. Threads are recognized by the names the relay and
    /// the load generator give them.
    static let roles: [(role: String, thread: String)] = [
        ("relay loop", "vigil-relay"), ("relay storage", "vigil-relay-db"),
        ("relay checkpointer", "vigil-relay-wal"), ("load generator", "vigil-bench-loa"),
        ("endpoint loop", "vigil-cloudapi"), ("endpoint webhooks", "vigil-webhooks"),
    ]

    /// CPU seconds so far: this process's threads by role, plus `server` (a child process, e.g.
    /// redis-server) under its own name.
    static func snapshot(server: (name: String, pid: Int32)? = nil) -> [String: Double] {
        var seconds: [String: Double] = [:]
        for (thread, value) in threadsOfThisProcess() {
            guard let role = roles.first(where: { $0.thread == thread })?.role else { continue }
            seconds[role, default: 0] += value
        }
        if let server, let value = cpuSeconds(statPath: "/proc/\(server.pid)/stat") {
            seconds[server.name] = value
        }
        return seconds
    }

    /// `after − before`, role by role.
    static func difference(_ after: [String: Double], _ before: [String: Double]) -> [String: Double] {
        after.reduce(into: [:]) { result, entry in result[entry.key] = entry.value - (before[entry.key] ?? 0) }
    }

    /// Every thread of this process: its name and CPU seconds.
    private static func threadsOfThisProcess() -> [(String, Double)] {
        guard let directory = opendir("/proc/self/task") else { return [] }
        defer { closedir(directory) }
        var threads: [(String, Double)] = []
        while let entry = readdir(directory) {
            let name = withUnsafeBytes(of: entry.pointee.d_name) { raw in
                String(decoding: raw.prefix { $0 != 0 }, as: UTF8.self)
            }
            guard let tid = Int(name),
                  let (comm, seconds) = commAndCPU(statPath: "/proc/self/task/\(tid)/stat") else { continue }
            threads.append((comm, seconds))
        }
        return threads
    }

    /// utime + stime of a `stat` file, in seconds.
    static func cpuSeconds(statPath: String) -> Double? {
        commAndCPU(statPath: statPath)?.1
    }

    /// The name in parentheses and fields 14–15 (utime, stime, in clock ticks) of a `stat` file.
    private static func commAndCPU(statPath: String) -> (String, Double)? {
        guard let bytes = try? FileIO.read(statPath) else { return nil }
        let text = String(decoding: bytes, as: UTF8.self)
        // The name may hold spaces and parentheses: it ends at the last ')'.
        guard let open = text.firstIndex(of: "("), let close = text.lastIndex(of: ")") else { return nil }
        let comm = String(text[text.index(after: open)..<close])
        let fields = text[text.index(after: close)...].split(separator: " ")
        // fields[0] is field 3 (state); utime and stime are fields 14 and 15.
        guard fields.count > 13, let user = Double(fields[11]), let system = Double(fields[12]) else { return nil }
        return (comm, (user + system) / Double(sysconf(Int32(_SC_CLK_TCK))))
    }
}
