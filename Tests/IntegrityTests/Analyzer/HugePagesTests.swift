import Glibc
@testable import Integrity
import Stats
import Testing

/// ``HugePages`` gives the analyzer's large buffers whole, aligned huge pages and its small ones
/// plain cache-line-aligned memory; both must be usable to their last byte.
@Suite struct HugePagesTests {
    @Test(arguments: [0, 1, 63, 4_096, HugePages.pageBytes - 1, HugePages.pageBytes, HugePages.pageBytes + 1, 5 << 20])
    func allocationsAreAlignedAndWritableToTheEnd(byteCount: Int) {
        let memory = HugePages.allocate(byteCount: byteCount)
        defer { free(memory) }
        let address = UInt(bitPattern: memory)
        let expectedAlignment = byteCount >= HugePages.pageBytes ? HugePages.pageBytes : 64
        #expect(address % UInt(expectedAlignment) == 0, "\(byteCount) bytes at \(address)")
        // Huge allocations are rounded up to whole pages: the last byte of the last page is ours.
        let usable = byteCount >= HugePages.pageBytes
            ? (byteCount + HugePages.pageBytes - 1) / HugePages.pageBytes * HugePages.pageBytes
            : max(byteCount, 1)
        let bytes = memory.bindMemory(to: UInt8.self, capacity: usable)
        bytes[usable - 1] = 0x5A
        bytes[0] = 0xA5
        #expect(bytes[0] == 0xA5)
        #expect(bytes[usable - 1] == (usable == 1 ? 0xA5 : 0x5A))
    }

    /// The sort's buffers grow past a huge page and stay a stable sort by position.
    @Test func businessOrderOverSeveralHugePages() {
        let order = BusinessOrder()
        let count = 3 * HugePages.pageBytes / MemoryLayout<UInt64>.stride + 17
        var random = SplitMix64(seed: 7)
        let positions = (0..<count).map { _ in UInt32(random.next() % 100_000) }
        let sorted = positions.withUnsafeBufferPointer { positions in
            order.withOrder(of: positions, below: 100_000) { Array($0) }
        }
        #expect(sorted.count == count)
        var previous: UInt64 = 0
        var inOrder = true
        for (index, pair) in sorted.enumerated() {
            if index > 0 && pair <= previous { inOrder = false }
            if positions[Int(pair & 0xFFFF_FFFF)] != UInt32(pair >> 32) { inOrder = false }
            previous = pair
        }
        #expect(inOrder, "pairs ascend by position then arrival, each naming its own position")
    }
}
