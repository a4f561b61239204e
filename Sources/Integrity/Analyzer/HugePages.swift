import Glibc

/// Raw memory for the analyzer's large buffers, on transparent huge pages where the kernel grants
/// them (`MADV_HUGEPAGE`; advice only: where they are off, it is 4 KiB pages).
///
/// The replay reads these buffers at random — a business's state, a batch's events gathered
/// business by business, the sort's 2 048 write streams — and in 4 KiB pages nearly every such
/// read misses the TLB and walks the page tables (on a virtual machine a nested walk), while a
/// few dozen 2 MiB pages stay in the TLB.
enum HugePages {
    /// Bytes per huge page.
    static let pageBytes = 1 << 21

    /// Allocates `byteCount` bytes (at least one), 64-byte aligned; from ``pageBytes`` bytes up,
    /// rounded up to whole huge pages, aligned on one and advised onto huge pages. Free it with
    /// `free`. Stops the process when memory is exhausted, as Swift's own allocations do.
    static func allocate(byteCount: Int) -> UnsafeMutableRawPointer {
        let huge = byteCount >= pageBytes
        let alignment = huge ? pageBytes : 64
        let bytes = huge ? (byteCount + pageBytes - 1) / pageBytes * pageBytes : max(byteCount, 1)
        var memory: UnsafeMutableRawPointer?
        guard posix_memalign(&memory, alignment, bytes) == 0, let memory else {
            preconditionFailure("out of memory for \(bytes) bytes of the analyzer's buffers")
        }
        if huge { _ = madvise(memory, bytes, MADV_HUGEPAGE) }
        return memory
    }

    /// Allocates room for `count` values of `type` (see ``allocate(byteCount:)``).
    static func allocate<Element>(_ type: Element.Type, count: Int) -> UnsafeMutablePointer<Element> {
        allocate(byteCount: count * MemoryLayout<Element>.stride).bindMemory(to: Element.self, capacity: max(count, 1))
    }
}
