import Foundation
import Testing
@testable import CloudAPI
import Crypto
import Transport

/// An admission policy that answers from a script and counts what it was asked.
final class ScriptedPolicy: AdmissionPolicy, @unchecked Sendable {
    private let lock = NSLock()
    private var _asked: [(PhoneNumber, MessageCategory)] = []
    private let decide: @Sendable (PhoneNumber, MessageCategory) -> AdmissionDecision

    init(_ decide: @escaping @Sendable (PhoneNumber, MessageCategory) -> AdmissionDecision) { self.decide = decide }

    /// Every (recipient, category) the relay asked about, in order.
    var asked: [(PhoneNumber, MessageCategory)] { lock.withLock { _asked } }

    func admit(sender: PhoneNumber, recipient: PhoneNumber, category: MessageCategory, time: Int64) -> AdmissionDecision {
        lock.withLock { _asked.append((recipient, category)) }
        return decide(recipient, category)
    }
}

/// The send gate in the running endpoint, over a relay whose admission policy is scripted: the
/// throughput is enforced before the relay is asked, and a refusal the relay gave is answered
/// again without asking it — except a reply inside a customer-service window.
@Suite("Cloud API endpoint: the send gate against a relay with admission")
struct EndpointSendGateTests {
    static let template = #"{"messaging_product":"whatsapp","to":"447700900123","type":"template","template":{"name":"promo","language":{"code":"en"}}}"#
    static let reply = #"{"messaging_product":"whatsapp","to":"447700900123","type":"text","text":{"body":"Sure"}}"#

    /// A relay with `policy`, an endpoint with one business (`sendsPerSecond`, clock `clock`)
    /// and Alice's phone, all running; `body` gets a send function and the business's number.
    func withSystem(
        policy: ScriptedPolicy, sendsPerSecond: Int, clock: TestClock,
        _ body: (_ send: (String) -> GraphReply?, _ alice: TestPhone, _ shop: PhoneNumber, _ webhooks: RecordingWebhooks) throws -> Void
    ) throws {
        let webhooks = RecordingWebhooks(verifyToken: "vt-1")
        let rig = try EndpointRig(
            "gate", businesses: [.init(phone: "+14155550100", webhookURL: "http://127.0.0.1:1/hook")], webhooks: webhooks, clock: clock,
            plugIns: { RelayPlugIns(sink: DiscardingSink(), policy: policy) }, configure: { $0.sendsPerSecond = sendsPerSecond })
        defer { rig.stop() }
        try body({ rig.send($0) }, rig.alice, rig.businesses[0].account.phone, webhooks)
    }

    @Test("over the number's throughput: 130429 from the endpoint, held for the wait, the relay never asked")
    func throughputBeforeTheRelay() throws {
        let policy = ScriptedPolicy { _, _ in .allow }
        let clock = TestClock(RelayServer.wallClock())
        try withSystem(policy: policy, sendsPerSecond: 3, clock: clock) { send, alice, _, _ in
            for _ in 0..<3 { #expect(send(Self.template)?.status == 200) }
            let started = ContinuousClock.now
            let refused = send(Self.template)
            let waited = ContinuousClock.now - started
            #expect(EndpointEndToEndTests.code(refused) == 130429 && refused?.status == 429)
            #expect(waited >= .milliseconds(300), "the refusal was answered after \(waited), not held for the wait (333 ms)")
            #expect(policy.asked.count == 3)
            #expect(eventually { alice.received.count == 3 })
            clock.advance(334)
            #expect(send(Self.template)?.status == 200)
            #expect(policy.asked.count == 4)
        }
    }

    @Test("a pair-rate refusal is answered again without the relay until its retry time")
    func pairRateRemembered() throws {
        let policy = ScriptedPolicy { _, _ in
            .deny(code: .rateLimited, text: "131056 pair rate limit hit: too many messages to this user; retry in 5.0 s")
        }
        let clock = TestClock(RelayServer.wallClock())
        try withSystem(policy: policy, sendsPerSecond: 80, clock: clock) { send, _, _, _ in
            #expect(EndpointEndToEndTests.code(send(Self.template)) == 131056)
            #expect(policy.asked.count == 1)
            #expect(EndpointEndToEndTests.code(send(Self.template)) == 131056)
            #expect(EndpointEndToEndTests.code(send(Self.template)) == 131056)
            #expect(policy.asked.count == 1)
            clock.advance(5_000)
            #expect(EndpointEndToEndTests.code(send(Self.template)) == 131056)
            #expect(policy.asked.count == 2)
        }
    }

    @Test("a messaging-limit refusal holds business-initiated messages, not a reply to a user who wrote")
    func messagingLimitSparesReplies() throws {
        // Like the analyzer at its tier's limit: business-initiated (marketing) refused, service replies allowed.
        let policy = ScriptedPolicy { _, category in
            category == .service ? .allow
                : .deny(code: .admissionDenied, text: "131048 messaging limit reached: 250 business-initiated users in 24 h (TIER_250); "
                    + "replies to users who wrote in the last 24 h still go")
        }
        let clock = TestClock(RelayServer.wallClock())
        try withSystem(policy: policy, sendsPerSecond: 80, clock: clock) { send, alice, shop, webhooks in
            #expect(EndpointEndToEndTests.code(send(Self.template)) == 131048)
            #expect(EndpointEndToEndTests.code(send(Self.template)) == 131048)
            #expect(policy.asked.count == 1)
            // Alice writes; the business's reply goes (the relay is asked, and allows it).
            _ = alice.link?.loop.executeAndWait { alice.send("hello?", to: shop, id: 1) }
            #expect(eventually { webhooks.posts.contains { String(decoding: $0.body, as: UTF8.self).contains("hello?") } })
            clock.advance(RelayServer.wallClock() - clock.now() + 1)  // the endpoint's clock past her message's time
            let replied = send(Self.reply)
            #expect(replied?.status == 200, "\(String(decoding: replied?.body ?? [], as: UTF8.self))")
            #expect(policy.asked.count == 2)
            #expect(eventually { alice.received.map(\.text) == ["Sure"] })
            // A template inside her window is not business-initiated either: the relay decides.
            _ = send(Self.template)
            #expect(policy.asked.count == 3)
        }
    }
}
