import Glibc

/// The kernel's CSPRNG, read 4 KiB at a time: one `getrandom` call refills a buffer that then
/// serves 512 words without a syscall. The relay draws 8 bytes per envelope id and 32 per token,
/// so this is one kernel entry per ~500 envelopes instead of one or two per envelope
/// (`SystemRandomNumberGenerator` enters the kernel on every call). `getrandom` is looked up at
/// run time (the Glibc module does not export `<sys/random.h>`); without it, `getentropy` fills
/// the buffer 256 bytes per call.
///
/// Every word handed out is wiped from the buffer, so the buffer never holds randomness that was
/// already used (a token, an id) — only words still to come. Copies of a generator share one
/// buffer and one read position (the state is a class), so two copies never return the same word.
///
/// Not `Sendable`: it belongs to the relay core, on its loop thread.
struct BufferedSystemRandom: RandomNumberGenerator {
    /// Words per refill (4 KiB).
    static let wordCount = 512

    private let state = State()

    /// A generator whose first call fills the buffer.
    init() {}

    /// The next 64 random bits.
    mutating func next() -> UInt64 {
        state.next()
    }

    /// For tests: the read position and the buffer's words (used ones are zero).
    var buffer: (index: Int, words: [UInt64]) {
        (state.index, Array(UnsafeBufferPointer(start: state.words, count: Self.wordCount)))
    }

    /// The buffer and the read position.
    private final class State {
        let words = UnsafeMutablePointer<UInt64>.allocate(capacity: BufferedSystemRandom.wordCount)
        /// The next unread word; `wordCount` means empty.
        var index = BufferedSystemRandom.wordCount

        init() {
            words.initialize(repeating: 0, count: BufferedSystemRandom.wordCount)
        }

        deinit {
            words.update(repeating: 0, count: BufferedSystemRandom.wordCount)
            words.deallocate()
        }

        func next() -> UInt64 {
            if index == BufferedSystemRandom.wordCount { refill() }
            let word = words[index]
            words[index] = 0
            index += 1
            return word
        }

        /// Fills the buffer from the kernel; both calls block only until the kernel's pool is first
        /// initialized. `getrandom` may return fewer bytes than asked when a signal arrives.
        ///
        /// The corresponding C functions are `getrandom` and `getentropy`.
        private func refill() {
            let bytes = UnsafeMutableRawPointer(words)
            let total = BufferedSystemRandom.wordCount * MemoryLayout<UInt64>.size
            var filled = 0
            while filled < total {
                if let getrandom = Self.getrandom {
                    let count = getrandom(bytes + filled, total - filled, 0)
                    if count > 0 {
                        filled += count
                        continue
                    }
                    if count < 0, errno == EINTR { continue }
                }
                let chunk = min(256, total - filled)
                if getentropy(bytes + filled, chunk) == 0 {
                    filled += chunk
                } else if errno != EINTR {
                    // No kernel source (ENOSYS on a very old kernel): the standard library's
                    // generator, which traps if the system has no secure randomness at all.
                    var system = SystemRandomNumberGenerator()
                    for word in (filled / 8)..<BufferedSystemRandom.wordCount { words[word] = system.next() }
                    break
                }
            }
            index = 0
        }

        private typealias GetRandom = @convention(c) (UnsafeMutableRawPointer?, Int, UInt32) -> Int

        /// `getrandom` from the C library, if it has one.
        private static let getrandom: GetRandom? = dlsym(nil, "getrandom").map { unsafeBitCast($0, to: GetRandom.self) }
    }
}
