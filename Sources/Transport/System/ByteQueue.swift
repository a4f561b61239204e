/// A FIFO of bytes: append at the back, consume from the front, view the rest as one contiguous
/// slice. The storage is compacted lazily, so consuming is O(1) and each byte is moved at most a
/// constant number of times on average; an emptied queue gives back large storage.
///
/// A pure value used for a connection's input and output buffers; the limits on its size are
/// enforced by `ConnectionFlow`, not here.
struct ByteQueue {
    private var storage: [UInt8] = []
    private var readIndex = 0

    /// Bytes kept when the queue empties; larger storage is released.
    static let retainedCapacity = 64 * 1024
    /// Consumed bytes tolerated at the front before compaction is considered.
    static let compactionThreshold = 4 * 1024

    /// The number of unconsumed bytes.
    var count: Int { storage.count - readIndex }

    /// Whether every byte has been consumed.
    var isEmpty: Bool { readIndex == storage.count }

    /// The unconsumed bytes, oldest first. Indices are those of the underlying storage: use
    /// `startIndex`, or iterate.
    var readableBytes: ArraySlice<UInt8> { storage[readIndex...] }

    /// Appends `bytes`.
    mutating func append<Bytes: Sequence<UInt8>>(contentsOf bytes: Bytes) {
        storage.append(contentsOf: bytes)
    }

    /// Appends the bytes of a raw buffer.
    mutating func append(_ bytes: UnsafeRawBufferPointer) {
        storage.append(contentsOf: bytes)
    }

    /// Drops the oldest `count` bytes.
    mutating func consume(_ count: Int) {
        precondition(count >= 0 && count <= self.count, "consume(\(count)) with \(self.count) bytes queued")
        readIndex += count
        if readIndex == storage.count {
            storage.removeAll(keepingCapacity: storage.capacity <= ByteQueue.retainedCapacity)
            readIndex = 0
        } else if readIndex >= ByteQueue.compactionThreshold && readIndex * 2 >= storage.count {
            storage.removeSubrange(0..<readIndex)
            readIndex = 0
        }
    }

    /// Drops everything and releases the storage.
    mutating func removeAll() {
        storage = []
        readIndex = 0
    }

    /// Calls `body` with the unconsumed bytes as one contiguous buffer.
    func withReadableBytes<Result>(_ body: (UnsafeRawBufferPointer) -> Result) -> Result {
        storage.withUnsafeBytes { all in
            body(UnsafeRawBufferPointer(rebasing: all[readIndex...]))
        }
    }
}
