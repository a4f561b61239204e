import Testing
@testable import Crypto

@Suite struct ConversationTests {
    /// Alice and Bob with seeded keys; Alice has initiated from Bob's bundle.
    static func pair(seed: UInt64 = 1, oneTime: Bool = true) throws -> (alice: Party, bob: Party) {
        var alice = try Party(random: SeededRandom(seed: seed))
        var bob = try Party(random: SeededRandom(seed: seed &+ 1_000_000))
        let bundle = try bob.makeBundle(signedPreKeyID: 1, oneTimePreKeyID: oneTime ? 7 : nil)
        try alice.initiate(with: "bob", bundle: PreKeyBundle(encoded: bundle.encoded))
        return (alice, bob)
    }

    @Test func firstMessagesAreprekeyMessagesUntilAReply() throws {
        var (alice, bob) = try Self.pair()
        let first = try alice.encrypt(Array("hello".utf8), for: "bob")
        guard case .preKey = first else { Issue.record("first message must be a prekey message"); return }
        #expect(try bob.decrypt(first, from: "alice") == Array("hello".utf8))
        #expect(bob.preKeys.oneTimePreKeys[7] == nil) // consumed
        let second = try alice.encrypt(Array("again".utf8), for: "bob")
        guard case .preKey = second else { Issue.record("still a prekey message before a reply"); return }
        #expect(try bob.decrypt(second, from: "alice") == Array("again".utf8))
        let reply = try bob.encrypt(Array("hi".utf8), for: "alice")
        guard case .message = reply else { Issue.record("the responder sends plain messages"); return }
        #expect(try alice.decrypt(reply, from: "bob") == Array("hi".utf8))
        guard case .message = try alice.encrypt(Array("x".utf8), for: "bob") else { Issue.record("after a reply: plain"); return }
    }

    @Test func conversationRunsBothWaysWithRatchetSteps() throws {
        var (alice, bob) = try Self.pair(oneTime: false)
        _ = try bob.decrypt(try alice.encrypt([0], for: "bob"), from: "alice")
        for round in 0..<20 {
            for i in 0..<(round % 3 + 1) {
                let text = Array("a\(round)-\(i)".utf8)
                #expect(try bob.decrypt(try alice.encrypt(text, for: "bob"), from: "alice") == text)
            }
            let text = Array("b\(round)".utf8)
            #expect(try alice.decrypt(try bob.encrypt(text, for: "alice"), from: "bob") == text)
        }
    }
}
