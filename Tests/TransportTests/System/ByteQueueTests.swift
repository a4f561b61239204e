import Testing
@testable import Transport

@Suite("ByteQueue")
struct ByteQueueTests {
    @Test func appendConsumeAndView() {
        var queue = ByteQueue()
        #expect(queue.isEmpty)
        queue.append(contentsOf: [1, 2, 3, 4])
        queue.consume(1)
        #expect(Array(queue.readableBytes) == [2, 3, 4])
        queue.append(contentsOf: [5])
        #expect(queue.count == 4)
        let sum = queue.withReadableBytes { $0.reduce(0) { $0 + Int($1) } }
        #expect(sum == 14)
        queue.consume(4)
        #expect(queue.isEmpty && queue.readableBytes.isEmpty)
    }

    @Test(arguments: 0..<10)
    func behavesLikeAnArrayUnderRandomOperations(seed: Int) {
        var queue = ByteQueue()
        var model: [UInt8] = []
        var modelStart = 0
        let script = SystemTestSupport.bytes(count: 1_000, seed: UInt64(seed) &+ 99)
        var next: UInt8 = 0
        var firstMismatch: Int?
        for step in 0..<500 {
            // Up to 20 KB per step, so compaction and the retained-capacity path both run.
            let amount = Int(script[2 * step + 1]) * 80
            if script[2 * step] % 2 == 0 {
                var chunk = [UInt8](repeating: 0, count: amount)
                for index in chunk.indices {
                    next &+= 1
                    chunk[index] = next
                }
                queue.append(contentsOf: chunk)
                model += chunk
            } else {
                let count = min(amount, model.count - modelStart)
                queue.consume(count)
                modelStart += count
            }
            if firstMismatch == nil && (queue.count != model.count - modelStart || queue.readableBytes.first != model[modelStart...].first) {
                firstMismatch = step
            }
        }
        #expect(firstMismatch == nil, "seed \(seed)")
        #expect(Array(queue.readableBytes) == Array(model[modelStart...]), "seed \(seed)")
    }
}
