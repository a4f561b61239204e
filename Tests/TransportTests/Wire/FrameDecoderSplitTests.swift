import Testing
@testable import Transport

/// The same stream, fed whole, byte by byte, and in random splits, yields the same frames.
@Suite struct WireFrameDecoderSplitTests {
    /// A seeded stream of small random frames of every type and what it must decode to.
    static func stream(seed: UInt64, count: Int = 120) throws -> (bytes: [UInt8], frames: [DecodedFrame]) {
        var random = WireRandom(seed: seed)
        let encoder = FrameEncoder()
        var bytes: [UInt8] = []
        var frames: [DecodedFrame] = []
        for _ in 0..<count {
            let decoded = DecodedFrame(requestID: random.requestID(), frame: random.smallFrame())
            try encoder.encode(decoded.frame, requestID: decoded.requestID, into: &bytes)
            frames.append(decoded)
        }
        return (bytes, frames)
    }

    /// Feeds `chunks` in order, draining after each (or after every few when `batch`), and returns
    /// every frame; fails the test on any error.
    static func decode(_ chunks: [ArraySlice<UInt8>], batch: Bool = false, seed: UInt64) -> [DecodedFrame] {
        var decoder = FrameDecoder()
        var frames: [DecodedFrame] = []
        for (index, chunk) in chunks.enumerated() {
            decoder.feed(chunk)
            if batch, index % 5 != 4, index != chunks.count - 1 { continue }
            for result in decoder.drain() {
                switch result {
                case let .success(frame): frames.append(frame)
                case let .failure(error): Issue.record("seed \(seed): unexpected \(error)")
                }
            }
        }
        #expect(decoder.isAtFrameBoundary, "seed \(seed)")
        #expect(decoder.bufferedByteCount == 0, "seed \(seed)")
        return frames
    }

    static func randomSplits(_ bytes: [UInt8], random: inout WireRandom) -> [ArraySlice<UInt8>] {
        var chunks: [ArraySlice<UInt8>] = []
        var start = 0
        let maxChunk = [3, 17, 256, 4096][random.int(0...3)]
        while start < bytes.count {
            let end = min(bytes.count, start + random.int(1...maxChunk))
            chunks.append(bytes[start..<end])
            start = end
        }
        return chunks
    }

    @Test func wholeStreamDecodes() throws {
        let (bytes, frames) = try Self.stream(seed: 1)
        #expect(Self.decode([bytes[...]], seed: 1) == frames)
    }

    @Test func byteByByteDecodes() throws {
        let (bytes, frames) = try Self.stream(seed: 2)
        let chunks = bytes.indices.map { bytes[$0...$0] }
        #expect(Self.decode(chunks, seed: 2) == frames)
    }

    @Test(arguments: 3...22 as ClosedRange<UInt64>)
    func randomSplitsDecode(seed: UInt64) throws {
        let (bytes, frames) = try Self.stream(seed: seed)
        var random = WireRandom(seed: seed &* 7919)
        let chunks = Self.randomSplits(bytes, random: &random)
        #expect(Self.decode(chunks, seed: seed) == frames, "seed \(seed)")
        // Several chunks buffered before each drain exercises compaction with unread bytes.
        #expect(Self.decode(chunks, batch: true, seed: seed) == frames, "seed \(seed)")
    }

    @Test func everyTruncationStaysPendingUntilCompleted() throws {
        var random = WireRandom(seed: 99)
        let encoder = FrameEncoder()
        for type in FrameType.allCases {
            let frame = random.smallFrame(of: type)
            let bytes = try encoder.encode(frame, requestID: 3)
            for cut in 0..<bytes.count {
                var decoder = FrameDecoder()
                decoder.feed(bytes[..<cut])
                #expect(try decoder.next() == nil, "\(type) cut at \(cut)")
                #expect(decoder.bufferedByteCount == cut && !decoder.hasFailed, "\(type) cut at \(cut)")
                decoder.feed(bytes[cut...])
                #expect(try decoder.next() == DecodedFrame(requestID: 3, frame: frame), "\(type) cut at \(cut)")
                #expect(decoder.isAtFrameBoundary)
            }
        }
    }

    @Test func bufferIsReusedAndStaysSmall() throws {
        let (bytes, frames) = try Self.stream(seed: 23, count: 400)
        var decoder = FrameDecoder()
        var decoded = 0
        var largestCapacity = 0
        var start = 0
        while start < bytes.count {
            let end = min(bytes.count, start + 1500)
            decoder.feed(bytes[start..<end])
            start = end
            decoded += decoder.drain().count
            largestCapacity = max(largestCapacity, decoder.bufferCapacity)
        }
        #expect(decoded == frames.count)
        // Never more than one partial frame plus one chunk, whatever the stream's length.
        #expect(largestCapacity < 8 * 1024, "capacity \(largestCapacity)")
    }
}

extension WireRandom {
    /// A small random frame of a given type.
    mutating func smallFrame(of type: FrameType) -> Frame {
        while true {
            let frame = smallFrame()
            if frame.type == type { return frame }
        }
    }
}
