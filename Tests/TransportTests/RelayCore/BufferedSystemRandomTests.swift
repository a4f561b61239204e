import Testing
@testable import Transport

@Suite("Buffered system random")
struct BufferedSystemRandomTests {
    @Test("words come from a 4 KiB buffer refilled from the kernel, across refills, without repeats")
    func refillsAndDistinctWords() {
        var random = BufferedSystemRandom()
        #expect(random.buffer.index == BufferedSystemRandom.wordCount)   // nothing read yet
        let count = 3 * BufferedSystemRandom.wordCount + 17
        let words = (0..<count).map { _ in random.next() }
        #expect(Set(words).count == count)   // 64-bit collisions among ~1.5 k words: ~2⁻⁴⁴
        #expect(random.buffer.index == 17)
        // Roughly half the bits are set (mean 32 per word; ±1 over 1 553 words is > 6 σ).
        let ones = words.reduce(0) { $0 + $1.nonzeroBitCount }
        let mean = Double(ones) / Double(count)
        #expect(abs(mean - 32) < 1, "mean set bits \(mean)")
    }

    @Test("every word handed out is wiped from the buffer; unread ones are not")
    func usedWordsAreWiped() {
        var random = BufferedSystemRandom()
        let drawn = (0..<100).map { _ in random.next() }
        let (index, buffer) = random.buffer
        #expect(index == 100)
        #expect(buffer[..<100].allSatisfy { $0 == 0 })
        #expect(buffer[100...].contains { $0 != 0 })
        #expect(Set(drawn).isDisjoint(with: buffer[100...]))
    }

    @Test("copies share one stream, so two copies never return the same word")
    func copiesShareTheStream() {
        var first = BufferedSystemRandom()
        var second = first
        let a = (0..<300).map { _ in first.next() }
        let b = (0..<300).map { _ in second.next() }
        #expect(Set(a).isDisjoint(with: b))
        #expect(first.buffer.index == 600 - BufferedSystemRandom.wordCount)
    }
}
