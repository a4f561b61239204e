@testable import Integrity
import Testing

/// ``HugePageMemory`` hands out huge-page-aligned memory from one huge page up (so that the
/// kernel can back it with whole huge pages) and ordinarily aligned memory below, usable to its
/// last byte either way.
@Suite struct HugePageMemoryTests {
    @Test(arguments: [1, 63, 4096, HugePageMemory.pageBytes - 1, HugePageMemory.pageBytes, HugePageMemory.pageBytes + 1, 3 << 21])
    func alignmentFollowsTheSize(byteCount: Int) {
        let memory = HugePageMemory.allocate(byteCount: byteCount, alignment: 64)
        defer { HugePageMemory.deallocate(memory) }
        let address = UInt(bitPattern: memory)
        if byteCount >= HugePageMemory.pageBytes {
            #expect(address % UInt(HugePageMemory.pageBytes) == 0, "\(byteCount) bytes")
        } else {
            #expect(address % 64 == 0, "\(byteCount) bytes")
        }
        // Every byte is writable and keeps what was written.
        let bytes = memory.bindMemory(to: UInt8.self, capacity: byteCount)
        for index in stride(from: 0, to: byteCount, by: 4093) { bytes[index] = UInt8(truncatingIfNeeded: index) }
        bytes[byteCount - 1] = 0xA5
        for index in stride(from: 0, to: byteCount - 1, by: 4093) { #expect(bytes[index] == UInt8(truncatingIfNeeded: index)) }
        #expect(bytes[byteCount - 1] == 0xA5)
    }

    @Test func aZeroByteRequestStillGivesAnAddress() {
        let memory = HugePageMemory.allocate(byteCount: 0, alignment: 8)
        #expect(UInt(bitPattern: memory) % 8 == 0)
        HugePageMemory.deallocate(memory)
    }
}
