import COpenSSL
import Glibc
import Synchronization

/// A random source that reads its upstream source (OpenSSL's `RAND_bytes` by default) 4 KiB at a
/// time and hands the bytes out in order — for callers that draw many small values (12-byte
/// nonces, 9-byte trace ids), where each `RAND_bytes` call costs more than the bytes: OpenSSL 3
/// locks its DRBG and checks for a fork (`getpid`) on every call. The Cloud API endpoint drew
/// ~6 values per message; those calls were ~4 % of its loop thread.
///
/// Every byte handed out is wiped from the buffer at once (`OPENSSL_cleanse`), so the buffer
/// never holds randomness that was already used (a nonce, a key) — only bytes still to come. As
/// those may become keys, the buffer is one page, locked in memory where the system allows
/// (`mlock`: never swapped) and left out of core dumps (`MADV_DONTDUMP`). Requests larger than a
/// quarter of the buffer go to the upstream source directly. Thread-safe: a mutex orders the
/// draws, so two callers never receive the same bytes.
///
/// Not for a process that forks: a child would hand out the parent's remaining bytes. Vigil
/// never forks.
public final class BufferedRandom: RandomSource {
    /// Bytes per refill.
    public static let bufferSize = 4096

    private struct State: ~Copyable {
        let bytes = UnsafeMutableRawBufferPointer.allocate(byteCount: BufferedRandom.bufferSize, alignment: BufferedRandom.bufferSize)
        /// The next unread byte; `bufferSize` means empty.
        var next = BufferedRandom.bufferSize
        /// Whether `mlock` succeeded (then `munlock` on release).
        let locked: Bool

        init() {
            bytes.initializeMemory(as: UInt8.self, repeating: 0)
            // Best effort: without the privilege or the limit, the buffer is an ordinary page.
            locked = mlock(bytes.baseAddress, bytes.count) == 0
            _ = madvise(bytes.baseAddress, bytes.count, MADV_DONTDUMP)
        }

        deinit {
            wipe(from: 0)
            if locked { munlock(bytes.baseAddress, bytes.count) }
            bytes.deallocate()
        }

        /// Wipes the buffer from `offset` to its end.
        func wipe(from offset: Int) {
            guard let base = bytes.baseAddress, offset < bytes.count else { return }
            OPENSSL_cleanse(base + offset, bytes.count - offset)
        }
    }

    private let upstream: any RandomSource
    private let state = Mutex(State())

    /// A buffer in front of `upstream` (the system source by default).
    public init(upstream: any RandomSource = SystemRandom()) {
        self.upstream = upstream
    }

    /// Fills `buffer` with the next bytes of the buffer, refilling it from upstream as needed;
    /// large requests are read from upstream directly.
    ///
    /// - Throws: The upstream source's error; the buffer is then left empty.
    public func fill(_ buffer: UnsafeMutableRawBufferPointer) throws(CryptoError) {
        guard buffer.count <= Self.bufferSize / 4 else {
            try upstream.fill(buffer)
            return
        }
        try state.withLock { (state: inout State) throws(CryptoError) in
            var offset = 0
            while offset < buffer.count {
                if state.next == Self.bufferSize {
                    do throws(CryptoError) { try upstream.fill(state.bytes) } catch {
                        state.wipe(from: 0)  // what a failed fill left is never handed out
                        throw error
                    }
                    state.next = 0
                }
                let take = min(buffer.count - offset, Self.bufferSize - state.next)
                let source = UnsafeMutableRawBufferPointer(rebasing: state.bytes[state.next..<(state.next + take)])
                UnsafeMutableRawBufferPointer(rebasing: buffer[offset..<(offset + take)]).copyMemory(from: UnsafeRawBufferPointer(source))
                if let base = source.baseAddress { OPENSSL_cleanse(base, take) }
                state.next += take
                offset += take
            }
        }
    }

    /// For tests: the read position and a copy of the buffer (bytes already handed out are zero).
    var snapshot: (next: Int, bytes: [UInt8]) {
        state.withLock { state in (state.next, Array(state.bytes)) }
    }
}
