import Foundation
import Glibc

/// Counts occurrences of byte patterns in files and in a live process's memory, reading in
/// chunks (a pattern straddling two chunks is found once).
struct DemoScanner {
    /// What one scan found.
    struct Result: Sendable {
        /// Files or memory regions read.
        var sources = 0
        /// Bytes read.
        var bytes = 0
        /// Regions or files that could not be read (a region unmapped meanwhile, a vanished file).
        var unreadable = 0
        /// Hits per pattern name.
        var hits: [String: Int] = [:]
        /// Where hits were, as "path (pattern)".
        var locations: [String] = []

        /// Hits of every pattern.
        var total: Int { hits.values.reduce(0, +) }

        /// Adds `other`'s counts.
        mutating func merge(_ other: Result) {
            sources += other.sources
            bytes += other.bytes
            unreadable += other.unreadable
            hits.merge(other.hits, uniquingKeysWith: +)
            locations += other.locations
        }
    }

    let patterns: [DemoPattern]
    private let chunkSize = 8 << 20

    init(patterns: [DemoPattern]) {
        self.patterns = patterns.filter { !$0.bytes.isEmpty }
    }

    // MARK: Files

    /// Every regular file under `directory`, recursively.
    func scan(directory: String) -> Result {
        var result = Result()
        var stream = Stream(patterns: patterns, chunkSize: chunkSize)
        let paths = ((try? FileManager.default.subpathsOfDirectory(atPath: directory)) ?? []).sorted()
        for relative in paths {
            let path = directory + "/" + relative
            var status = stat()
            guard lstat(path, &status) == 0, status.st_mode & S_IFMT == S_IFREG else { continue }
            result.merge(scan(file: path, with: &stream))
        }
        return result
    }

    /// One file.
    func scan(file path: String) -> Result {
        var stream = Stream(patterns: patterns, chunkSize: chunkSize)
        return scan(file: path, with: &stream)
    }

    private func scan(file path: String, with stream: inout Stream) -> Result {
        var result = Result()
        let descriptor = open(path, O_RDONLY | O_CLOEXEC)
        guard descriptor >= 0 else {
            result.unreadable += 1
            return result
        }
        defer { close(descriptor) }
        result.sources = 1
        stream.reset()
        while true {
            let count = stream.fill { buffer in Glibc.read(descriptor, buffer.baseAddress, buffer.count) }
            if count < 0, errno == EINTR { continue }
            if count < 0 { result.unreadable += 1 }
            if count <= 0 { break }
            result.bytes += count
        }
        record(stream.hits, source: path, into: &result)
        return result
    }

    // MARK: Memory

    /// The writable mappings (heap, stacks, anonymous memory, writable data) of process `pid`
    /// ("self" for this one), read through `/proc/PID/mem` while it runs.
    func scan(memoryOf pid: String) throws(DemoError) -> Result {
        let maps: [UInt8]
        do throws(CLIError) {
            maps = try FileIO.read("/proc/\(pid)/maps")
        } catch {
            throw DemoError("cannot read the memory map of process \(pid): \(error)")
        }
        let memory = open("/proc/\(pid)/mem", O_RDONLY | O_CLOEXEC)
        guard memory >= 0 else { throw DemoError("cannot open /proc/\(pid)/mem: \(String(cString: strerror(errno)))") }
        defer { close(memory) }
        var result = Result()
        var stream = Stream(patterns: patterns, chunkSize: chunkSize)
        for line in String(decoding: maps, as: UTF8.self).split(separator: "\n") {
            guard let region = Region(line), region.isWritableData else { continue }
            result.sources += 1
            stream.reset()
            var offset = region.start
            while offset < region.end {
                let wanted = Int(min(UInt64(chunkSize), region.end - offset))
                let count = stream.fill(limit: wanted) { buffer in pread(memory, buffer.baseAddress, buffer.count, off_t(Int64(bitPattern: offset))) }
                if count < 0, errno == EINTR { continue }
                if count <= 0 {
                    result.unreadable += 1
                    break
                }
                result.bytes += count
                offset += UInt64(count)
            }
            record(stream.hits, source: "\(region.name) @\(String(region.start, radix: 16))", into: &result)
        }
        return result
    }

    private func record(_ hits: [Int], source: String, into result: inout Result) {
        for (pattern, count) in zip(patterns, hits) where count > 0 {
            result.hits[pattern.name, default: 0] += count
            result.locations.append("\(source) (\(pattern.name) ×\(count))")
        }
        for pattern in patterns where result.hits[pattern.name] == nil { result.hits[pattern.name] = 0 }
    }

    /// One line of `/proc/PID/maps`.
    private struct Region {
        let start: UInt64
        let end: UInt64
        let permissions: Substring
        let name: String

        init?(_ line: Substring) {
            let fields = line.split(separator: " ", maxSplits: 5, omittingEmptySubsequences: true)
            guard fields.count >= 5 else { return nil }
            let bounds = fields[0].split(separator: "-").compactMap { UInt64($0, radix: 16) }
            guard bounds.count == 2, bounds[0] < bounds[1] else { return nil }
            start = bounds[0]
            end = bounds[1]
            permissions = fields[1]
            name = fields.count == 6 ? fields[5].trimmingCharacters(in: .whitespaces) : "[anonymous]"
        }

        /// Readable and writable, and not a kernel-provided page ([vvar], [vsyscall]).
        var isWritableData: Bool {
            permissions.hasPrefix("rw") && !name.hasPrefix("[vvar") && name != "[vsyscall]" && end - start <= 1 << 34
        }
    }

    /// Pattern counting over consecutive chunks: the last `longest − 1` bytes of a chunk are kept
    /// in front of the next, and a match counts only if it ends past that carried prefix.
    private struct Stream {
        let patterns: [DemoPattern]
        private(set) var hits: [Int]
        private var buffer: [UInt8]
        private var carried = 0
        private let keep: Int

        init(patterns: [DemoPattern], chunkSize: Int) {
            self.patterns = patterns
            hits = Array(repeating: 0, count: patterns.count)
            keep = max(0, (patterns.map(\.bytes.count).max() ?? 1) - 1)
            buffer = [UInt8](repeating: 0, count: chunkSize + keep)
        }

        /// Starts a new source: no carried bytes, no hits (the buffer is reused).
        mutating func reset() {
            carried = 0
            for index in hits.indices { hits[index] = 0 }
        }

        /// Reads up to `limit` new bytes with `read` after the carried ones and counts matches;
        /// returns what `read` returned.
        mutating func fill(limit: Int = .max, _ read: (UnsafeMutableRawBufferPointer) -> Int) -> Int {
            let capacity = min(limit, buffer.count - carried)
            let carried = self.carried
            let count = buffer.withUnsafeMutableBytes { raw in
                read(UnsafeMutableRawBufferPointer(rebasing: raw[carried..<(carried + capacity)]))
            }
            guard count > 0 else { return count }
            let filled = carried + count
            buffer.withUnsafeBytes { raw in
                let window = UnsafeRawBufferPointer(rebasing: raw[0..<filled])
                for (index, pattern) in patterns.enumerated() {
                    hits[index] += DemoScanner.occurrences(of: pattern.bytes, in: window, endingAfter: carried)
                }
            }
            let kept = min(keep, filled)
            if kept > 0 {
                buffer.withUnsafeMutableBytes { raw in
                    guard let base = raw.baseAddress else { return }
                    memmove(base, base + (filled - kept), kept)
                }
            }
            self.carried = kept
            return count
        }
    }

    /// How often `needle` occurs in `haystack` ending after offset `boundary`: `memchr` for the
    /// needle's first byte, then `memcmp` at each candidate.
    static func occurrences(of needle: [UInt8], in haystack: UnsafeRawBufferPointer, endingAfter boundary: Int) -> Int {
        guard !needle.isEmpty, haystack.count >= needle.count, let base = haystack.baseAddress else { return 0 }
        return needle.withUnsafeBytes { pin -> Int in
            guard let pinBase = pin.baseAddress else { return 0 }
            let first = Int32(needle[0])
            let lastStart = haystack.count - needle.count
            var from = max(0, boundary - needle.count + 1)
            var count = 0
            while from <= lastStart {
                guard let hit = memchr(base + from, first, lastStart - from + 1) else { break }
                let start = base.distance(to: UnsafeRawPointer(hit))
                if memcmp(base + start, pinBase, needle.count) == 0 { count += 1 }
                from = start + 1
            }
            return count
        }
    }
}
