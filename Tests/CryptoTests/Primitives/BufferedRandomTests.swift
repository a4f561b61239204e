@testable import Crypto
import Dispatch
import Synchronization
import Testing

@Suite("Buffered random source")
struct BufferedRandomTests {
    /// Small draws, however split, hand out the upstream stream in order; a draw larger than a
    /// quarter of the buffer goes upstream directly, after the 4 KiB the buffer already took.
    @Test func handsOutTheUpstreamStreamInOrder() throws {
        let reference = try SeededRandom(seed: 99).bytes(count: 3 * BufferedRandom.bufferSize)
        let buffered = BufferedRandom(upstream: SeededRandom(seed: 99))
        var drawn: [UInt8] = []
        for size in [12, 9, 1, 0, 32, 1024, 7] + Array(repeating: 500, count: 8) {
            drawn += try buffered.bytes(count: size)
        }
        #expect(drawn.count == 5085)
        #expect(drawn == Array(reference.prefix(drawn.count)), "crosses one refill")
        let large = try buffered.bytes(count: BufferedRandom.bufferSize / 4 + 1)
        #expect(large == Array(reference[(2 * BufferedRandom.bufferSize)..<(2 * BufferedRandom.bufferSize + large.count)]))
        #expect(try buffered.bytes(count: 3) == Array(reference[drawn.count..<(drawn.count + 3)]), "the buffer goes on where it was")
    }

    /// Bytes handed out are wiped from the buffer; the rest are the stream's next bytes.
    @Test func wipesWhatItHandsOut() throws {
        let reference = try SeededRandom(seed: 5).bytes(count: BufferedRandom.bufferSize)
        let buffered = BufferedRandom(upstream: SeededRandom(seed: 5))
        #expect(buffered.snapshot.next == BufferedRandom.bufferSize, "empty until the first draw")
        #expect(try buffered.bytes(count: 12) == Array(reference.prefix(12)))
        let (next, bytes) = buffered.snapshot
        #expect(next == 12)
        #expect(bytes.prefix(12).allSatisfy { $0 == 0 })
        #expect(Array(bytes.dropFirst(12)) == Array(reference.dropFirst(12)))
    }

    /// Draws from several threads never share bytes: together they are exactly the stream.
    @Test func concurrentDrawsPartitionTheStream() throws {
        let threads = 4, draws = 600, size = 8
        let reference = try SeededRandom(seed: 42).bytes(count: threads * draws * size)
        let buffered = BufferedRandom(upstream: SeededRandom(seed: 42))
        let results = Mutex<[[UInt8]]>([])
        DispatchQueue.concurrentPerform(iterations: threads) { _ in
            var mine: [[UInt8]] = []
            for _ in 0..<draws { mine.append((try? buffered.bytes(count: size)) ?? []) }
            results.withLock { $0 += mine }
        }
        let drawn = results.withLock { $0 }
        let expected = stride(from: 0, to: reference.count, by: size).map { Array(reference[$0..<($0 + size)]) }
        #expect(drawn.count == expected.count)
        #expect(drawn.sorted { $0.lexicographicallyPrecedes($1) } == expected.sorted { $0.lexicographicallyPrecedes($1) })
    }

    /// An upstream failure reaches the caller, and the buffer stays empty rather than serving
    /// what a failed refill may have left.
    @Test func upstreamFailurePropagates() throws {
        let upstream = FailingRandom()
        let buffered = BufferedRandom(upstream: upstream)
        #expect(throws: CryptoError.invalidEncoding(.key, reason: "upstream down")) { _ = try buffered.bytes(count: 16) }
        #expect(buffered.snapshot.next == BufferedRandom.bufferSize)
        #expect(buffered.snapshot.bytes.allSatisfy { $0 == 0 }, "what the failed fill wrote is wiped")
        upstream.failing.withLock { $0 = false }
        #expect(try buffered.bytes(count: 16) == [UInt8](repeating: 7, count: 16))
    }

    @Test func systemBackedDrawsDiffer() throws {
        let buffered = BufferedRandom()
        let a = try buffered.bytes(count: 32), b = try buffered.bytes(count: 32)
        #expect(a != b && a.count == 32)
    }
}

/// A source that fails while `failing` (after writing 0xAB), and otherwise fills with 7s.
private final class FailingRandom: RandomSource {
    let failing = Mutex(true)

    func fill(_ buffer: UnsafeMutableRawBufferPointer) throws(CryptoError) {
        if failing.withLock({ $0 }) {
            buffer.initializeMemory(as: UInt8.self, repeating: 0xAB)  // a fill that fails half done
            throw .invalidEncoding(.key, reason: "upstream down")
        }
        buffer.initializeMemory(as: UInt8.self, repeating: 7)
    }
}
