import Transport

extension Harness {
    /// The relay's frame decoder on an arbitrary byte stream.
    static let wireFrame = Harness(
        name: "wire-frame",
        summary: """
            FrameDecoder on the input as one stream: fed whole and fed in input-seeded splits of 1…17 bytes \
            must yield the same frames and errors and end in the same state; every decoded frame re-encodes \
            and decodes to itself; a stream that decodes cleanly re-encodes to exactly the input bytes.
            """,
        maximumLength: 16 * 1024,
        run: { WireFrameHarness.run($0) },
        seeds: { WireFrameHarness.seeds() }
    )
}

enum WireFrameHarness {
    /// What one `next()` call produced.
    private enum Outcome: Equatable {
        case frame(DecodedFrame)
        case error(WireError)
    }

    static func run(_ input: UnsafeRawBufferPointer) -> Bool {
        let whole = decode(input, pieces: [0..<input.count])
        let split = decode(input, pieces: FuzzInput.splits(count: input.count, seed: FuzzInput.digest(input)))
        FuzzCheck.require(whole.outcomes == split.outcomes, "split feeding changed the outcomes: \(whole.outcomes) vs \(split.outcomes)")
        FuzzCheck.require(whole.atBoundary == split.atBoundary && whole.failed == split.failed, "split feeding changed the end state")

        let encoder = FrameEncoder()
        var reencoded: [UInt8] = []
        var clean = true
        for outcome in whole.outcomes {
            guard case let .frame(decoded) = outcome else { clean = false; continue }
            let bytes: [UInt8]
            do {
                bytes = try encoder.encode(decoded.frame, requestID: decoded.requestID)
            } catch {
                FuzzCheck.fail("a decoded frame does not encode: \(decoded) (\(error))")
            }
            reencoded += bytes
            let again = bytes.withUnsafeBytes { decode($0, pieces: [0..<bytes.count]) }
            FuzzCheck.require(again.outcomes == [.frame(decoded)] && again.atBoundary, "re-encoded \(decoded) decodes to \(again.outcomes)")
        }
        if clean, whole.atBoundary {
            FuzzCheck.requireEqualBytes(reencoded, input, "a clean stream re-encodes to other bytes")
        }
        return whole.outcomes.contains { if case .frame = $0 { true } else { false } }
    }

    private static func decode(_ input: UnsafeRawBufferPointer, pieces: [Range<Int>]) -> (outcomes: [Outcome], atBoundary: Bool, failed: Bool) {
        var decoder = FrameDecoder()
        var outcomes: [Outcome] = []
        for piece in pieces {
            decoder.feed(UnsafeRawBufferPointer(rebasing: input[piece]))
            // Every call either consumes a frame or returns nil, so a stream of n bytes ends within
            // n + 1 calls; more means the decoder is looping.
            for _ in 0...input.count + 1 {
                do {
                    guard let decoded = try decoder.next() else { break }
                    outcomes.append(.frame(decoded))
                } catch {
                    outcomes.append(.error(error))
                }
                FuzzCheck.require(outcomes.count <= input.count + 1, "more outcomes than input bytes")
            }
            FuzzCheck.require(decoder.bufferedByteCount <= input.count, "the decoder buffers more than it was fed")
        }
        return (outcomes, decoder.isAtFrameBoundary, decoder.hasFailed)
    }

    static func seeds() -> [[UInt8]] {
        let encoder = FrameEncoder()
        guard let alice = PhoneNumber("+14155550100"), let shop = PhoneNumber("+442071234567"),
              let token = RelayToken(bytes: [UInt8](repeating: 7, count: RelayToken.byteCount)),
              let device = DeviceID(rawValue: 1)
        else { FuzzCheck.fail("seed constants do not parse") }
        let id = EnvelopeID(high: 1, low: 2)
        let streams: [[(Frame, UInt32)]] = [
            [(.register(phone: alice, device: device), 1)],
            [(.hello(phone: alice, device: device, token: token), 2), (.ping(nonce: 9), 3)],
            [(.publishPreKeys(bundles: [[1, 2, 3], [4, 5]]), 4), (.fetchPreKeys(owner: shop), 5)],
            [(.send(OutgoingEnvelope(recipient: shop, clientMessageID: 42, kind: .business(.marketing), ciphertext: [9, 9, 9])), 6)],
            [(.ack(envelopeIDs: [id]), 0), (.block(blocked: shop, reason: .spam), 7), (.report(SpamReport(business: shop, reason: .scam, envelopeID: id)), 8)],
            [(.receipt(Receipt(kind: .read, counterpart: shop, envelopeIDs: [id])), 0), (.error(code: WireErrorCode(rawValue: 201), message: "bad"), 9)],
            [(.registered(token: token), 1), (.welcome, 2), (.pong(nonce: 9), 3), (.ok, 4)],
            [(.preKeyBundle(owner: shop, bundle: [1, 2, 3]), 5), (.accepted(clientMessageID: 42, envelopeID: id, serverTimeMilliseconds: 1_700_000_000_000), 6)],
            [(.deliver(DeliveredEnvelope(id: id, sender: alice, serverTimeMilliseconds: 1_700_000_000_000, kind: .user, ciphertext: [1])), 7)],
        ]
        return streams.map { frames in
            var bytes: [UInt8] = []
            for (frame, requestID) in frames {
                do { try encoder.encode(frame, requestID: RequestID(rawValue: requestID), into: &bytes) } catch {
                    FuzzCheck.fail("seed frame \(frame) does not encode: \(error)")
                }
            }
            return bytes
        }
    }
}
