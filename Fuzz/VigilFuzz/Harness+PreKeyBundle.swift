import Crypto

extension Harness {
    /// Prekey bundles as the relay hands them out.
    static let preKeyBundle = Harness(
        name: "prekey-bundle",
        summary: """
            PreKeyBundle(encoded:) (signatures verified): an accepted bundle re-encodes to exactly the input; \
            Alice then starts a session from it, and if that succeeds her first envelope decodes again.
            """,
        maximumLength: 1024,
        run: { PreKeyBundleHarness.run($0) },
        seeds: { PreKeyBundleHarness.seeds() }
    )
}

enum PreKeyBundleHarness {
    static func run(_ input: UnsafeRawBufferPointer) -> Bool {
        let bundle: PreKeyBundle
        do { bundle = try PreKeyBundle(encoded: input) } catch { return false }
        FuzzCheck.requireEqualBytes(bundle.encoded, input, "bundle re-encodes to other bytes")
        let identity = CryptoFixture.shared.alice.identity
        guard var conversation = try? Conversation.initiate(identity: identity, bundle: bundle, random: CryptoFixture.random(5)) else { return true }
        do {
            let envelope = try conversation.encrypt(Array("hello".utf8))
            FuzzCheck.require((try? SessionEnvelope(encoded: envelope.encoded)) == envelope, "a first envelope does not decode")
        } catch {
            FuzzCheck.fail("a session started from an accepted bundle cannot encrypt: \(error)")
        }
        return true
    }

    static func seeds() -> [[UInt8]] {
        var party: Party
        do { party = try Party(random: CryptoFixture.random(6)) } catch { FuzzCheck.fail("no party: \(error)") }
        var bundles = [CryptoFixture.shared.bundle.encoded]
        for (signed, oneTime) in [(UInt32(7), UInt32?.none), (8, 9)] {
            guard let bundle = try? party.makeBundle(signedPreKeyID: signed, oneTimePreKeyID: oneTime) else { continue }
            bundles.append(bundle.encoded)
        }
        return bundles
    }
}
