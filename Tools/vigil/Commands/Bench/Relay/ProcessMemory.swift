import Glibc

/// Resident memory of a process, from Linux's `/proc/PID/status`.
enum ProcessMemory {
    /// `VmHWM`, the peak resident set size, in MiB; nil if the file or field is missing.
    static func peakResidentMiB(of process: String = "self") -> Double? {
        field("VmHWM", of: process)
    }

    /// `VmRSS`, the current resident set size, in MiB; nil if the file or field is missing.
    static func residentMiB(of process: String = "self") -> Double? {
        field("VmRSS", of: process)
    }

    /// Hands memory freed by an earlier run back to the system (`malloc_trim`, every arena), then
    /// resets this process's `VmHWM` to its current RSS (writes 5 to `/proc/self/clear_refs`,
    /// Linux ≥ 4.0), so the next reading is the peak of what follows. Returns false if refused.
    @discardableResult
    static func resetPeak() -> Bool {
        trimHeap()
        let descriptor = open("/proc/self/clear_refs", O_WRONLY | O_CLOEXEC)
        guard descriptor >= 0 else { return false }
        defer { close(descriptor) }
        let command: [UInt8] = Array("5".utf8)
        return command.withUnsafeBytes { write(descriptor, $0.baseAddress, $0.count) } == command.count
    }

    /// glibc's `malloc_trim(0)`, looked up at run time (the Glibc module does not import
    /// `<malloc.h>`); does nothing if the C library has no such function.
    private static func trimHeap() {
        typealias Trim = @convention(c) (Int) -> Int32
        guard let symbol = dlsym(nil, "malloc_trim") else { return }
        _ = unsafeBitCast(symbol, to: Trim.self)(0)
    }

    /// A `kB` field of `/proc/PROCESS/status`, in MiB.
    private static func field(_ name: String, of process: String) -> Double? {
        guard let bytes = try? FileIO.read("/proc/\(process)/status") else { return nil }
        let prefix = name + ":"
        for line in String(decoding: bytes, as: UTF8.self).split(separator: "\n") where line.hasPrefix(prefix) {
            let number = line.dropFirst(prefix.count).split(whereSeparator: { $0 == " " || $0 == "\t" }).first.flatMap { Double($0) }
            return number.map { $0 / 1024 }
        }
        return nil
    }
}
