import Testing
@testable import Transport

/// Thousands of seeded hostile inputs: nothing traps, nothing hangs, the stream resynchronizes after
/// every frame error, and whatever decodes is canonical.
@Suite struct WireFrameDecoderFuzzTests {
    /// Feeds `input` whole and checks, for every frame it yields, that re-encoding gives exactly the
    /// bytes it was decoded from; feeds it again in random splits and expects the same results.
    /// Also drives a connection state machine with everything, which must never trap either.
    /// How often each outcome occurred, so a test can show it reached all of them.
    struct Outcomes {
        var frames = 0
        var recoverable = 0
        var unrecoverable = 0

        static func + (a: Outcomes, b: Outcomes) -> Outcomes {
            Outcomes(frames: a.frames + b.frames, recoverable: a.recoverable + b.recoverable, unrecoverable: a.unrecoverable + b.unrecoverable)
        }
    }

    @discardableResult
    static func check(_ input: [UInt8], maximumFrameSize: Int, random: inout WireRandom, seed: UInt64) -> Outcomes {
        let encoder = FrameEncoder(maximumFrameSize: WireFormat.maximumConfigurableFrameSize)
        var whole = FrameDecoder(maximumFrameSize: maximumFrameSize)
        whole.feed(input)
        var results: [Result<DecodedFrame, WireError>] = []
        var machine = ConnectionStateMachine()
        for _ in 0...input.count {
            let start = input.count - whole.bufferedByteCount
            do {
                guard let decoded = try whole.next() else { break }
                let end = input.count - whole.bufferedByteCount
                let again = try? encoder.encode(decoded.frame, requestID: decoded.requestID)
                #expect(again.map { $0[...] } == input[start..<end], "seed \(seed): not canonical")
                results.append(.success(decoded))
                _ = machine.receive(decoded)
            } catch {
                results.append(.failure(error))
                _ = machine.decodingFailed(error)
                if !error.isRecoverable {
                    #expect(whole.hasFailed, "seed \(seed)")
                    break
                }
            }
        }
        #expect((try? whole.next()) == .some(nil), "seed \(seed): decoder kept going")

        var split = FrameDecoder(maximumFrameSize: maximumFrameSize)
        var splitResults: [Result<DecodedFrame, WireError>] = []
        var start = 0
        while start < input.count {
            let end = min(input.count, start + random.int(1...64))
            split.feed(input[start..<end])
            splitResults += split.drain()
            start = end
            if split.hasFailed { break }
        }
        // Errors found from a partial header carry the same reason, offset and context.
        #expect(splitResults.count == results.count, "seed \(seed)")
        for (a, b) in zip(splitResults, results) {
            #expect(a.frame == b.frame && a.error == b.error, "seed \(seed)")
        }
        var outcomes = Outcomes()
        for result in results {
            if result.frame != nil { outcomes.frames += 1 } else if result.error?.isRecoverable == true { outcomes.recoverable += 1 } else { outcomes.unrecoverable += 1 }
        }
        return outcomes
    }


    @Test func randomBytesNeverTrap() {
        for seed in 0..<1500 as Range<UInt64> {
            var random = WireRandom(seed: seed)
            let input = random.bytes(0...random.int(0...1) * 400 + 24)
            Self.check(input, maximumFrameSize: 1024, random: &random, seed: seed)
        }
    }

    @Test func plausibleHeadersWithRandomBodiesNeverTrap() {
        let types = FrameType.allCases.map(\.rawValue) + [0x00, 0x09, 0x44, 0x88, 0xff]
        var total = Outcomes()
        for seed in 0..<1500 as Range<UInt64> {
            var random = WireRandom(seed: seed &+ 1_000_000)
            var input: [UInt8] = []
            for _ in 0..<random.int(1...6) {
                let body = random.bytes(0...random.int(0...2) * 40 + 4)
                let version: UInt8 = random.chance(0.05) ? random.byte() : 1
                let type = types[random.int(0...types.count - 1)]
                input += WireBytes.frame(type: type, requestID: UInt32(random.int(0...9)), version: version, body: body)
            }
            total = total + Self.check(input, maximumFrameSize: WireFormat.defaultMaximumFrameSize, random: &random, seed: seed)
        }
        // Random bodies reach every outcome; a few even decode (welcome, ok, ping, pong, registered…).
        #expect(total.frames > 10 && total.recoverable > 3000 && total.unrecoverable > 100, "\(total)")
    }

    /// Mutating anything but the length prefix and version (type, request id, body) never
    /// desynchronizes the stream: the frame after a damaged one always decodes.
    @Test func damagedBodiesNeverDesynchronize() throws {
        let encoder = FrameEncoder()
        var total = Outcomes()
        for seed in 0..<1500 as Range<UInt64> {
            var random = WireRandom(seed: seed &+ 2_000_000)
            var frame = try encoder.encode(random.smallFrame(), requestID: random.requestID())
            for _ in 0..<random.int(1...4) {
                let index = random.int(5...frame.count - 1)
                frame[index] = random.chance(0.5) ? random.byte() : frame[index] ^ 1 << UInt8(random.int(0...7))
            }
            var input = frame + WireBytes.ping(seed, requestID: 1)
            if random.chance(0.3) { input += random.bytes(1...30) }
            total = total + Self.check(input, maximumFrameSize: WireFormat.defaultMaximumFrameSize, random: &random, seed: seed)

            var decoder = FrameDecoder()
            decoder.feed(frame + WireBytes.ping(seed, requestID: 1))
            let results = decoder.drain()
            #expect(results.count == 2 && results.allSatisfy { $0.error?.isRecoverable ?? true }, "seed \(seed)")
            #expect(results.last?.frame == DecodedFrame(requestID: 1, frame: .ping(nonce: seed)), "seed \(seed)")
        }
        // Damage is usually caught (a frame error) and sometimes yields another valid frame.
        #expect(total.recoverable > 400 && total.frames > 1500, "\(total)")
    }

    /// Truncated, extended and bit-flipped encodings of valid frames, anywhere in the frame.
    @Test func mutatedStreamsNeverTrap() throws {
        let encoder = FrameEncoder()
        var total = Outcomes()
        for seed in 0..<1000 as Range<UInt64> {
            var random = WireRandom(seed: seed &+ 3_000_000)
            var input: [UInt8] = []
            for _ in 0..<random.int(1...4) {
                try encoder.encode(random.smallFrame(), requestID: random.requestID(), into: &input)
            }
            switch random.int(0...3) {
            case 0: input.removeLast(random.int(1...input.count))
            case 1: input.insert(random.byte(), at: random.int(0...input.count))
            case 2: input[random.int(0...input.count - 1)] ^= 1 << UInt8(random.int(0...7))
            default: input.replaceSubrange(random.int(0...3)..<random.int(4...9), with: random.bytes(0...6))
            }
            total = total + Self.check(input, maximumFrameSize: WireFormat.defaultMaximumFrameSize, random: &random, seed: seed)
        }
        #expect(total.frames > 800 && total.recoverable > 80 && total.unrecoverable > 200, "\(total)")
    }
}
