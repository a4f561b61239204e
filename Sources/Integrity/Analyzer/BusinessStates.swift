import Glibc

/// The active businesses' states, densely numbered 0 ..< count and stored in fixed chunks of
/// ``chunkSize`` states: appending never moves a state. An array of ~10⁵ states of ~1.4 KiB
/// grows by doubling, and each doubling copies every state into fresh pages (a copy and a page
/// fault per 4 KiB of all the states so far); a chunk is allocated once and its pages are touched
/// once, as its states are appended. At 10⁵ businesses the replay's `memmove` with its page
/// faults fell from 8.8 % to 4.0 % of the samples (BENCHMARKS.md, Integrity).
///
/// Each chunk is one 2 MiB huge page where the kernel grants it (`MADV_HUGEPAGE`): with ~10⁵
/// states (~140 MiB) a state read in 4 KiB pages misses the TLB and walks the page tables — on a
/// virtual machine a nested walk, several hundred nanoseconds — on nearly every event, while ~70
/// huge pages stay in the TLB.
///
/// A value with copy-on-write semantics, like an array: the chunks live in a class instance that
/// a mutation copies first when it is shared.
struct BusinessStates {
    /// Bytes per chunk: one huge page.
    static let chunkBytes = 1 << 21
    /// States per chunk: as many as fit in ``chunkBytes`` (~1 500 of ~1.4 KiB). A constant the
    /// compiler folds, so that finding a chunk is a multiplication, not a division.
    @inline(__always)
    static var chunkSize: Int { chunkBytes / MemoryLayout<BusinessState>.stride }

    /// The chunks' addresses, kept here (not only in ``owner``) so that finding a state reads
    /// no class property: those are checked for exclusive access at run time, a call per read,
    /// which in the look-ahead's tight loops keeps fewer loads in flight.
    private var chunks: [UnsafeMutablePointer<BusinessState>] = []
    /// Number of states.
    private(set) var count = 0
    /// Owns the chunks (frees them with the last copy of this value); copied before a mutation
    /// when shared.
    private var owner = Owner()

    /// Whether there is no state.
    var isEmpty: Bool { count == 0 }

    /// The positions 0 ..< count.
    var indices: Range<Int> { 0..<count }

    /// The state at `position` (0 ..< count), read or changed in place.
    @inline(__always)
    subscript(position: Int) -> BusinessState {
        get { address(of: position).pointee }
        _modify {
            makeUnique()
            yield &mutableAddress(of: position).pointee
        }
    }

    /// The address of the state at `position` (0 ..< count), for reads only (the look-ahead);
    /// valid until the next mutation.
    @inline(__always)
    func address(of position: Int) -> UnsafePointer<BusinessState> {
        UnsafePointer(mutableAddress(of: position))
    }

    @inline(__always)
    private func mutableAddress(of position: Int) -> UnsafeMutablePointer<BusinessState> {
        precondition(position >= 0 && position < count, "state position out of range")
        let (chunk, offset) = position.quotientAndRemainder(dividingBy: Self.chunkSize)
        return chunks[chunk] + offset
    }

    /// Appends `state` at position `count`.
    mutating func append(_ state: BusinessState) {
        makeUnique()
        if count == chunks.count * Self.chunkSize { addChunk() }
        let (chunk, offset) = count.quotientAndRemainder(dividingBy: Self.chunkSize)
        (chunks[chunk] + offset).initialize(to: state)
        count += 1
        owner.count = count
    }

    /// Allocates the chunks for `capacity` states in all (no effect on the contents).
    mutating func reserveCapacity(_ capacity: Int) {
        makeUnique()
        while chunks.count * Self.chunkSize < capacity { addChunk() }
    }

    /// Exchanges the states at two positions.
    mutating func swapAt(_ first: Int, _ second: Int) {
        guard first != second else { return }
        makeUnique()
        swap(&mutableAddress(of: first).pointee, &mutableAddress(of: second).pointee)
    }

    /// Removes and returns the last state.
    @discardableResult
    mutating func removeLast() -> BusinessState {
        precondition(count > 0, "no state to remove")
        makeUnique()
        let last = mutableAddress(of: count - 1).move()
        count -= 1
        owner.count = count
        return last
    }

    /// Allocates a chunk aligned on a huge page and asks the kernel to back it with one (advice
    /// only: where transparent huge pages are off, it is 4 KiB pages as before).
    private mutating func addChunk() {
        var memory: UnsafeMutableRawPointer?
        guard posix_memalign(&memory, Self.chunkBytes, Self.chunkBytes) == 0, let memory else {
            preconditionFailure("out of memory for \(Self.chunkBytes) bytes of business states")
        }
        _ = madvise(memory, Self.chunkBytes, MADV_HUGEPAGE)
        let chunk = memory.bindMemory(to: BusinessState.self, capacity: Self.chunkSize)
        chunks.append(chunk)
        owner.chunks.append(chunk)
    }

    @inline(__always)
    private mutating func makeUnique() {
        guard !isKnownUniquelyReferenced(&owner) else { return }
        let states = self
        self = BusinessStates()
        reserveCapacity(states.count)
        for state in states { append(state) }
    }

    /// The chunks and how many states they hold (the first `count`, in position order).
    private final class Owner {
        var chunks: [UnsafeMutablePointer<BusinessState>] = []
        var count = 0

        deinit {
            for position in 0..<count {
                let (chunk, offset) = position.quotientAndRemainder(dividingBy: BusinessStates.chunkSize)
                (chunks[chunk] + offset).deinitialize(count: 1)
            }
            for chunk in chunks { free(chunk) }
        }
    }
}

extension BusinessStates: Sequence {
    /// The states in position order.
    struct Iterator: IteratorProtocol {
        fileprivate let states: BusinessStates
        fileprivate var position = 0

        mutating func next() -> BusinessState? {
            guard position < states.count else { return nil }
            defer { position += 1 }
            return states[position]
        }
    }

    func makeIterator() -> Iterator { Iterator(states: self) }

    var underestimatedCount: Int { count }
}
