import Crypto

/// Alice and Bob with an established session, made deterministically from fixed seeds: the state
/// the ratchet and bundle harnesses decrypt against, and the source of their seed inputs.
struct CryptoFixture: Sendable {
    /// Bob's bundle (signed prekey 1, one-time prekey 1).
    let bundle: PreKeyBundle
    /// Bob's conversation with Alice after her first message and his reply.
    let bobConversation: Conversation
    /// Alice's party after Bob's reply (one conversation, "bob").
    let alice: Party
    /// Alice's conversation with Bob at the same point.
    let aliceConversation: Conversation
    /// Envelopes of the exchange, in order: Alice's prekey message, Bob's reply, then two from
    /// Alice that Bob's conversation has not seen yet.
    let envelopes: [SessionEnvelope]

    /// The fixture, built once per process.
    static let shared: CryptoFixture = {
        do {
            return try make()
        } catch {
            FuzzCheck.fail("the crypto fixture cannot be built: \(error)")
        }
    }()

    /// A random source with a fixed stream: every run of an input draws the same keys.
    static func random(_ seed: UInt64) -> SeededRandom { SeededRandom(seed: seed) }

    private static func make() throws(ProtocolError) -> CryptoFixture {
        var alice = try Party(random: random(1))
        var bob = try Party(random: random(2))
        let bundle = try bob.makeBundle(signedPreKeyID: 1, oneTimePreKeyID: 1)
        try alice.initiate(with: "bob", bundle: bundle)
        let first = try alice.encrypt(Array("hello bob".utf8), for: "bob")
        _ = try bob.decrypt(first, from: "alice")
        let reply = try bob.encrypt(Array("hi alice".utf8), for: "alice")
        _ = try alice.decrypt(reply, from: "bob")
        let second = try alice.encrypt(Array("second".utf8), for: "bob")
        let third = try alice.encrypt(Array("third, same chain".utf8), for: "bob")
        guard let bobConversation = bob.conversations["alice"], let aliceConversation = alice.conversations["bob"] else {
            throw .malformed("fixture", reason: "a conversation is missing")
        }
        return CryptoFixture(
            bundle: bundle, bobConversation: bobConversation, alice: alice, aliceConversation: aliceConversation,
            envelopes: [first, reply, second, third])
    }
}
