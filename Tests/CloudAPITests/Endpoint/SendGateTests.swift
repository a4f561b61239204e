import Testing
@testable import CloudAPI
import Transport

/// `SendGate`: the endpoint's own throughput limit and its memory of the relay's refusals. The
/// relay texts are the integrity analyzer's (`AdmissionRefusal.description`), written out here.
@Suite("Cloud API send gate: throughput before any work, relay refusals remembered")
struct SendGateTests {
    static let alice = PhoneNumber("+447700900123")!
    static let bob = PhoneNumber("+4930123456")!

    static func code(_ verdict: SendGate.Verdict) -> Int? {
        switch verdict {
        case .proceed: nil
        case let .refuse(error, _): error.code
        case let .refuseIfBusinessInitiated(error): error.code
        }
    }

    @Test("a burst of one second's worth, then one request per interval; refusals are held for the wait")
    func throughput() {
        var gate = SendGate(perSecond: 80, limitHoldMilliseconds: 60_000)
        let start: Int64 = 1_700_000_000_000
        for _ in 0..<80 { #expect(gate.admit(at: start) == .proceed) }
        guard case let .refuse(error, delay) = gate.admit(at: start) else {
            Issue.record("the 81st request in the same millisecond proceeded")
            return
        }
        #expect(error.code == 130429 && error.httpStatus == 429 && error.details == "more than 80 send requests per second")
        #expect(delay == 100)  // the wait is 1/80 s = 12.5 ms; a refusal is held at least 100 ms
        #expect(gate.admit(at: start + 12) != .proceed)
        #expect(gate.admit(at: start + 13) == .proceed)
        // Steady hammering at 1 000 requests a second for 10 s: 80 a second get through.
        var proceeded = 0
        for millisecond in Int64(14)..<10_014 where gate.admit(at: start + millisecond) == .proceed { proceeded += 1 }
        #expect(proceeded == 800)
        // A refusal is never held longer than a second, however slow the rate.
        var slow = SendGate(perSecond: 1, limitHoldMilliseconds: 0)
        #expect(slow.admit(at: start) == .proceed)
        if case let .refuse(_, delay) = slow.admit(at: start) { #expect(delay == 1_000) } else { Issue.record("not refused") }
    }

    @Test("the configured throughput per tier: the upgraded one only at TIER_UNLIMITED")
    func throughputPerTier() throws {
        let configuration = EndpointConfiguration(relayAddress: try SocketAddress(parsing: "127.0.0.1:1"), dataDirectory: "/x",
                                                  sendsPerSecond: 80, upgradedSendsPerSecond: 1_000)
        #expect(configuration.sendsPerSecond(atTier: "TIER_250") == 80)
        #expect(configuration.sendsPerSecond(atTier: "TIER_100K") == 80)
        #expect(configuration.sendsPerSecond(atTier: "TIER_UNLIMITED") == 1_000)
    }

    @Test("a pair-rate refusal holds that user until the relay's retry time, and no one else")
    func pairRate() {
        var gate = SendGate(perSecond: 80, limitHoldMilliseconds: 60_000)
        let now: Int64 = 5_000_000
        gate.remember(.pairRateLimit("x"), relayText: "131056 pair rate limit hit: too many messages to this user; retry in 5.9 s",
                      recipient: Self.alice, at: now)
        #expect(Self.code(gate.check(Self.alice, at: now + 5_899)) == 131056)
        #expect(gate.check(Self.alice, at: now + 5_899) == .refuse(.pairRateLimit("x"), delayMilliseconds: 0))
        #expect(gate.check(Self.bob, at: now) == .proceed)
        #expect(gate.check(Self.alice, at: now + 5_900) == .proceed)
        #expect(gate.heldUsers == 0)
    }

    @Test("a messaging-limit refusal holds that user's business-initiated messages for the hold")
    func messagingLimit() {
        var gate = SendGate(perSecond: 80, limitHoldMilliseconds: 60_000)
        let refusal = GraphError.admissionDenied(relayText: "131048 messaging limit reached: 250 business-initiated users in 24 h (TIER_250); "
            + "replies to users who wrote in the last 24 h still go")
        #expect(refusal.code == 131048)
        gate.remember(refusal, relayText: "131048 messaging limit reached: 250 business-initiated users in 24 h (TIER_250); x", recipient: Self.alice, at: 0)
        #expect(gate.check(Self.alice, at: 59_999) == .refuseIfBusinessInitiated(refusal))
        #expect(gate.check(Self.bob, at: 1) == .proceed)
        #expect(gate.check(Self.alice, at: 60_000) == .proceed)
    }

    @Test("a spam restriction holds every user's business-initiated messages, a policy block everything; no hold outlasts the cap")
    func numberWide() {
        var gate = SendGate(perSecond: 80, limitHoldMilliseconds: 60_000)
        let restricted = "131048 spam rate limit hit: business-initiated messages are restricted until 86400000 ms because of blocks and reports"
        gate.remember(.spamRateLimit("r"), relayText: restricted, recipient: Self.alice, at: 1_000)
        // The relay's "until" is its own event time: held at most 60 s here, then the relay is asked again.
        #expect(gate.check(Self.bob, at: 60_999) == .refuseIfBusinessInitiated(.spamRateLimit("r")))
        #expect(gate.check(Self.bob, at: 61_000) == .proceed)
        gate.remember(.policyBlock("b"), relayText: "368 temporarily blocked for policy violations until 90000 ms", recipient: Self.bob, at: 70_000)
        #expect(gate.check(Self.alice, at: 89_999) == .refuse(.policyBlock("b"), delayMilliseconds: 0))
        // A shorter throughput hold does not replace the longer block.
        gate.remember(.throughput("t"), relayText: "130429 rate limit hit: more than 80 messages per second; retry in 0.2 s", recipient: Self.bob, at: 70_000)
        #expect(gate.check(Self.alice, at: 89_999) == .refuse(.policyBlock("b"), delayMilliseconds: 0))
        gate.forgetHolds()
        #expect(gate.check(Self.alice, at: 89_999) == .proceed)
        gate.remember(.throughput("t"), relayText: "130429 rate limit hit: more than 80 messages per second; retry in 0.2 s", recipient: Self.bob, at: 0)
        #expect(Self.code(gate.check(Self.alice, at: 199)) == 130429)
        #expect(gate.check(Self.alice, at: 200) == .proceed)
        // Holding nothing at all: --limit-hold 0.
        var forgetful = SendGate(perSecond: 80, limitHoldMilliseconds: 0)
        forgetful.remember(.pairRateLimit("x"), relayText: "131056 pair rate limit hit; retry in 5.0 s", recipient: Self.alice, at: 0)
        #expect(forgetful.check(Self.alice, at: 1) == .proceed)
    }

    @Test("the strictest hold wins: a user's pair-rate hold is not hidden by a number-wide business-initiated one")
    func strictestHold() {
        var gate = SendGate(perSecond: 80, limitHoldMilliseconds: 60_000)
        gate.remember(.spamRateLimit("r"), relayText: "131048 … restricted until 50000 ms …", recipient: Self.bob, at: 0)
        gate.remember(.pairRateLimit("p"), relayText: "131056 pair rate limit hit; retry in 6.0 s", recipient: Self.alice, at: 0)
        #expect(gate.check(Self.alice, at: 1) == .refuse(.pairRateLimit("p"), delayMilliseconds: 0))
        #expect(gate.check(Self.bob, at: 1) == .refuseIfBusinessInitiated(.spamRateLimit("r")))
        // A messaging-limit refusal does not shorten a live pair-rate hold of the same user.
        gate.remember(.spamRateLimit("m"), relayText: "131048 messaging limit reached: 250 …", recipient: Self.alice, at: 2)
        #expect(gate.check(Self.alice, at: 3) == .refuse(.pairRateLimit("p"), delayMilliseconds: 0))
    }

    @Test("a clock stepping back holds a business no longer than a second's burst")
    func clockSteppingBack() {
        var gate = SendGate(perSecond: 80, limitHoldMilliseconds: 60_000)
        let start: Int64 = 1_700_000_000_000
        for _ in 0..<80 { #expect(gate.admit(at: start) == .proceed) }
        // The wall clock jumps back an hour: at most one interval's wait, then sends go again.
        let back = start - 3_600_000
        if case let .refuse(_, delay) = gate.admit(at: back) { #expect(delay == SendGate.minimumDelayMilliseconds) } else { Issue.record("not refused at once") }
        // A second later the whole burst is there again (not an hour later).
        var burst = 0
        for _ in 0..<100 where gate.admit(at: back + 1_000) == .proceed { burst += 1 }
        #expect(burst == 80)
    }

    @Test("texts without a retry time or an end are not remembered; at most 4 096 users are held")
    func boundsAndUnparsable() {
        var gate = SendGate(perSecond: 80, limitHoldMilliseconds: 60_000)
        gate.remember(.pairRateLimit("x"), relayText: "131056 slow down", recipient: Self.alice, at: 0)
        gate.remember(.policyBlock("x"), relayText: "368 blocked", recipient: Self.alice, at: 0)
        gate.remember(.undeliverable("x"), relayText: "no prekeys", recipient: Self.alice, at: 0)
        #expect(gate.check(Self.alice, at: 1) == .proceed)
        #expect(SendGate.retryMilliseconds(in: "retry in 0.1 s") == 100)
        #expect(SendGate.retryMilliseconds(in: "retry in -1 s") == nil)
        #expect(SendGate.untilMilliseconds(in: "until 12 ms") == 12)
        #expect(SendGate.untilMilliseconds(in: "until 12 s") == nil)
        for index in 0..<5_000 {
            gate.remember(.pairRateLimit("x"), relayText: "retry in 10.0 s", recipient: PhoneNumber(digits: 15_550_000_000 + UInt64(index))!, at: 0)
        }
        #expect(gate.heldUsers == SendGate.maximumUserHolds)
        // The newest holds are kept.
        #expect(gate.check(PhoneNumber(digits: 15_550_004_999)!, at: 1) != .proceed)
    }
}
