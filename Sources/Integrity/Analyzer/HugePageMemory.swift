import Glibc

/// Raw memory for the analyzer's large, long-lived buffers (the business states' chunks, a
/// grouped batch's events and the sort's buffers), on transparent huge pages where the kernel
/// grants them.
///
/// A buffer of tens of MiB in 4 KiB pages costs a page fault per 4 KiB when first touched (~25 000
/// for a default batch's buffers) and, when read or written out of order — a batch's events
/// taken in business order, the sort's scatter into 2 048 buckets — a TLB miss and a page walk
/// (nested, on a virtual machine) on nearly every access. In 2 MiB pages the same buffers take a
/// few dozen faults and stay in the TLB. `MADV_HUGEPAGE` is advice only: where transparent huge
/// pages are off, the memory is ordinary 4 KiB pages.
enum HugePageMemory {
    /// Bytes of one huge page (x86-64 and AArch64 with 4 KiB base pages).
    static let pageBytes = 1 << 21

    /// Allocates at least `byteCount` bytes, never nil: from `byteCount` of one huge page up,
    /// aligned on a huge page, rounded up to whole huge pages and advised to be backed by them;
    /// smaller, aligned on `alignment` (a power of two, at least a pointer's size). Release it
    /// with ``deallocate(_:)``.
    static func allocate(byteCount: Int, alignment: Int = 64) -> UnsafeMutableRawPointer {
        let huge = byteCount >= pageBytes
        let bytes = huge ? (byteCount + pageBytes - 1) & ~(pageBytes - 1) : max(byteCount, 1)
        var memory: UnsafeMutableRawPointer?
        guard posix_memalign(&memory, huge ? pageBytes : max(alignment, MemoryLayout<UnsafeRawPointer>.size), bytes) == 0,
              let memory
        else {
            preconditionFailure("out of memory for \(bytes) bytes")
        }
        if huge { _ = madvise(memory, bytes, MADV_HUGEPAGE) }
        return memory
    }

    /// Releases memory from ``allocate(byteCount:alignment:)``.
    static func deallocate(_ memory: UnsafeMutableRawPointer) {
        free(memory)
    }
}
