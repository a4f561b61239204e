import Crypto

extension Harness {
    /// Session envelopes (prekey and ratchet messages) as a phone receives them.
    static let sessionEnvelope = Harness(
        name: "session-envelope",
        summary: """
            SessionEnvelope(encoded:) (prekey message or ratchet message): an accepted envelope re-encodes to \
            exactly the input, and decoding it with the session's identity known gives the same envelope \
            (or the same refusal); it is then decrypted by a fixed established session (Bob's): a refusal must \
            leave the session's serialized state unchanged, and an envelope that decrypts once must not \
            decrypt again (no replay).
            """,
        maximumLength: 4 * 1024,
        run: { SessionEnvelopeHarness.run($0) },
        seeds: { CryptoFixture.shared.envelopes.map(\.encoded) }
    )
}

enum SessionEnvelopeHarness {
    static func run(_ input: UnsafeRawBufferPointer) -> Bool {
        let original = CryptoFixture.shared.bobConversation
        // Decoded with the session's identity known, the envelope must be the one decoded without
        // it, or refused by both: knowing an identity only spares verifying the same bytes again.
        let withKnown = try? SessionEnvelope(encoded: input, knownIdentity: original.remoteIdentity)
        let envelope: SessionEnvelope
        do { envelope = try SessionEnvelope(encoded: input) } catch {
            FuzzCheck.require(withKnown == nil, "an envelope refused without a known identity decoded with one: \(error)")
            return false
        }
        FuzzCheck.require(withKnown == envelope, "an envelope decoded differently with a known identity")
        FuzzCheck.requireEqualBytes(envelope.encoded, input, "envelope re-encodes to other bytes")

        var conversation = original
        do {
            _ = try conversation.decrypt(envelope, random: CryptoFixture.random(3))
        } catch {
            FuzzCheck.require(conversation.serialized().isEqual(to: original.serialized()), "a refused envelope changed the session: \(error)")
            return true
        }
        var replayed = conversation
        do {
            _ = try replayed.decrypt(envelope, random: CryptoFixture.random(4))
        } catch {
            return true
        }
        FuzzCheck.fail("an envelope decrypted twice")
    }
}
