import Glibc

/// How long the disk takes to make a small write durable, measured in the durable relay's data
/// directory just before its run: every commit of the relay waits for one `fdatasync`, so this
/// bounds its latency from below, and on a shared machine it moves with the neighbours' I/O.
enum DiskProbe {
    /// Median and 90th percentile of `samples` `fdatasync`s after rewriting `size` bytes of a
    /// scratch file in `directory` (removed afterwards), in milliseconds; nil if the file cannot
    /// be written.
    ///
    /// The corresponding C function is `fdatasync`.
    static func fdatasyncMilliseconds(in directory: String, samples: Int = 40, size: Int = 64 << 10) -> (p50: Double, p90: Double)? {
        let path = directory + "/fdatasync-probe"
        let descriptor = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o600)
        guard descriptor >= 0 else { return nil }
        defer {
            close(descriptor)
            unlink(path)
        }
        let block = [UInt8](repeating: 0x5A, count: size)
        var latencies: [Double] = []
        for sample in 0...samples {
            let written = block.withUnsafeBytes { pwrite(descriptor, $0.baseAddress, $0.count, 0) }
            guard written == size else { return nil }
            let start = BenchClock.now()
            guard fdatasync(descriptor) == 0 else { return nil }
            // The first sync allocates the file's blocks; the relay's WAL is rewritten in place.
            if sample > 0 { latencies.append(Double(BenchClock.now() - start) / 1e6) }
        }
        latencies.sort()
        return (latencies[latencies.count / 2], latencies[latencies.count * 9 / 10])
    }
}
