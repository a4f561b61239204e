import Crypto

/// How fast this host is while a benchmark runs, measured in the same run as the benchmark's
/// figures. The 2-vCPU VM these benchmarks run on changes speed from day to day by a third —
/// X25519 at 31.2k agreements/s on 2026-11-25, 18–23k on 2026-11-28, with the same OpenSSL — so
/// a throughput figure means little without the host's speed beside it.
///
/// Two figures: X25519 agreements per second of the measuring thread's CPU time (what `vigil bench
/// crypto` and `openssl speed ecdhx25519` report; it falls when the physical CPU under the VM is
/// slower, or its caches and memory are shared with busier neighbours), and the CPU steal the
/// guest kernel counted (`/proc/stat`: time the hypervisor ran something else while this VM had
/// work, which thread CPU time leaves out).
enum HostReference {
    /// X25519 agreements per CPU-second of the calling thread, over `seconds` of its CPU time
    /// (Vigil's API: within a few per cent of `openssl speed`, see BENCHMARKS.md). `nil` if the
    /// keys cannot be made.
    static func x25519Rate(seconds: Double = 0.5) -> Double? {
        guard let mine = try? Curve25519.KeyAgreement.PrivateKey(),
              let theirs = try? Curve25519.KeyAgreement.PrivateKey().publicKey else { return nil }
        return BenchClock.operationsPerCPUSecond(seconds: seconds) {
            blackHole(try? mine.sharedSecretFromKeyAgreement(with: theirs))
        }
    }
}

/// The machine's CPU time counters (`/proc/stat`'s first line, in clock ticks): all of it, and
/// the part stolen by the hypervisor. The difference of two snapshots gives the steal share of a
/// window.
struct CPUStealSnapshot: Sendable {
    /// Every state's ticks summed (user … steal; guest time is already inside user).
    var total: UInt64
    /// The `steal` column.
    var steal: UInt64

    /// The counters now; `nil` where `/proc/stat` is missing or has no steal column.
    static func now() -> CPUStealSnapshot? {
        guard let bytes = try? FileIO.read("/proc/stat") else { return nil }
        return parse(String(decoding: bytes.prefix { $0 != 0x0A }, as: UTF8.self))
    }

    /// The `cpu` line's columns: user nice system idle iowait irq softirq steal [guest guest_nice].
    static func parse(_ line: String) -> CPUStealSnapshot? {
        let fields = line.split(separator: " ", omittingEmptySubsequences: true)
        guard fields.first == "cpu", fields.count >= 9 else { return nil }
        var values: [UInt64] = []
        for field in fields[1...8] {
            guard let value = UInt64(field) else { return nil }
            values.append(value)
        }
        return CPUStealSnapshot(total: values.reduce(0, +), steal: values[7])
    }

    /// The share of the machine's CPU time stolen between `earlier` and `self` (0…1), `nil` if no
    /// time passed.
    func stealFraction(since earlier: CPUStealSnapshot) -> Double? {
        guard total > earlier.total, steal >= earlier.steal else { return nil }
        return Double(steal - earlier.steal) / Double(total - earlier.total)
    }
}
