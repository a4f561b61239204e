import Foundation
@testable import Integrity
import Testing
import Transport

/// The chunked store of active businesses' states (``BusinessStates``): positions, in-place
/// changes, swaps and removals across chunk boundaries, and value semantics.
@Suite struct BusinessStatesTests {
    static let parameters = SignalParameters(rules: Rules())

    /// A state whose number and first-seen time encode `index`.
    static func state(_ index: Int) -> BusinessState {
        guard let number = PhoneNumber(digits: 14_155_550_000 + UInt64(index)) else {
            preconditionFailure("the test numbers are valid")
        }
        return BusinessState(business: number, policy: NumberPolicy(tier: .tier250), time: Int64(index), parameters: parameters)
    }

    /// The first-seen times of `states`, in position order (each is its state's original index).
    static func order(_ states: BusinessStates) -> [Int64] { states.map(\.firstSeen) }

    /// More states than one chunk holds, so that every operation crosses a chunk boundary.
    static let count = BusinessStates.chunkSize * 2 + 37

    static func filled(_ count: Int = count) -> BusinessStates {
        var states = BusinessStates()
        for index in 0..<count { states.append(state(index)) }
        return states
    }

    @Test func appendedStatesKeepTheirPositions() {
        let states = Self.filled()
        #expect(states.count == Self.count)
        #expect(Self.order(states) == (0..<Int64(Self.count)).map { $0 })
        #expect(states[BusinessStates.chunkSize].business.digits == 14_155_550_000 + UInt64(BusinessStates.chunkSize))
        #expect(states.address(of: Self.count - 1).pointee.firstSeen == Int64(Self.count - 1))
    }

    @Test func changesApplyInPlace() {
        var states = Self.filled()
        let position = BusinessStates.chunkSize + 3
        states[position].lastSeen = 99_999
        states[position].totals.messagesSent += 5
        #expect(states[position].lastSeen == 99_999)
        #expect(states[position].totals.messagesSent == 5)
        #expect(states[position - 1].lastSeen == Int64(position - 1))
    }

    @Test func swapAndRemoveLastMirrorAnArray() {
        var states = Self.filled()
        var expected = (0..<Int64(Self.count)).map { $0 }
        let first = 5, second = BusinessStates.chunkSize * 2 + 10
        states.swapAt(first, second)
        expected.swapAt(first, second)
        let removed = states.removeLast()
        let expectedRemoved = expected.removeLast()
        #expect(removed.firstSeen == expectedRemoved)
        #expect(Self.order(states) == expected)
        // Removing down across a chunk boundary and appending again reuses the positions.
        for _ in 0..<40 { states.removeLast(); expected.removeLast() }
        states.append(Self.state(7_000))
        expected.append(7_000)
        #expect(Self.order(states) == expected)
        #expect(states.count == expected.count)
    }

    @Test func copiesAreIndependent() {
        var original = Self.filled()
        var copy = original
        copy[3].lastSeen = -1
        copy.append(Self.state(9_000))
        #expect(original[3].lastSeen == 3)
        #expect(original.count == Self.count)
        #expect(copy.count == Self.count + 1)
        original.swapAt(0, 1)
        #expect(copy[0].firstSeen == 0)
        #expect(original[0].firstSeen == 1)
        #expect(copy[3].lastSeen == -1)
    }

    @Test func reservingChangesNothingVisible() {
        var states = BusinessStates()
        states.reserveCapacity(BusinessStates.chunkSize * 3)
        #expect(states.isEmpty)
        states.append(Self.state(1))
        #expect(Self.order(states) == [1])
    }

    /// Each chunk is one whole huge page, aligned on one and advised onto huge pages (the
    /// `hg` flag of its mapping in `/proc/self/smaps`, where the kernel has transparent huge
    /// pages). A chunk holds a little under 2 MiB of states; allocating only what they need
    /// would lose both, as a reviewer caught in a change that did.
    @Test func chunksAreWholeHugePages() throws {
        let states = Self.filled()
        let kernelHasHugePages = FileManager.default.fileExists(atPath: "/sys/kernel/mm/transparent_hugepage/enabled")
        for position in [0, BusinessStates.chunkSize, 2 * BusinessStates.chunkSize] {
            let address = UInt(bitPattern: states.address(of: position))
            #expect(address % UInt(BusinessStates.chunkBytes) == 0, "chunk at position \(position)")
            let flags = try #require(Self.mappingFlags(holding: address), "a mapping holds \(address)")
            if kernelHasHugePages { #expect(flags.contains("hg"), "VmFlags \(flags)") }
        }
    }

    /// The `VmFlags` of the mapping of this process that holds `address`, from
    /// `/proc/self/smaps` (nil if there is none).
    static func mappingFlags(holding address: UInt) -> [Substring]? {
        // Read to the end: a /proc file reports a size of 0.
        guard let file = FileHandle(forReadingAtPath: "/proc/self/smaps"), let data = try? file.readToEnd() else { return nil }
        var inMapping = false
        for line in String(decoding: data, as: UTF8.self).split(separator: "\n") {
            let range = line.prefix { $0 != " " }.split(separator: "-")
            if range.count == 2, let start = UInt(range[0], radix: 16), let end = UInt(range[1], radix: 16) {
                inMapping = start <= address && address < end
            } else if inMapping, line.hasPrefix("VmFlags:") {
                return line.dropFirst("VmFlags:".count).split(separator: " ")
            }
        }
        return nil
    }
}
