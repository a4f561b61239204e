import Testing
@testable import CloudAPI
import Integrity
import Transport

/// The relay's admission refusals are written by the integrity analyzer
/// (`AdmissionRefusal.description`) and read by the Cloud API endpoint (Graph code, and the
/// duration `SendGate` holds them for). This pins the two together: rewording a refusal so that
/// the endpoint can no longer read it fails here, not silently in production.
@Suite("Admission refusal texts: written by Integrity, read by the Cloud API")
struct AdmissionTextContractTests {
    static let alice = PhoneNumber("+447700900123")!
    static let bob = PhoneNumber("+4930123456")!

    /// What the endpoint makes of `refusal` sent by the relay at `now`: the Graph error, and the gate's verdicts after.
    static func read(_ refusal: AdmissionRefusal, at now: Int64) -> (GraphError, alice: SendGate.Verdict, bob: SendGate.Verdict) {
        guard case let .deny(code, text) = refusal.decision else { return (.unknown("allowed"), .proceed, .proceed) }
        #expect(code == refusal.wireCode)
        let error = CloudAPIEndpoint.graphError(for: .refused(code, text))
        var gate = SendGate(perSecond: 80, limitHoldMilliseconds: 60_000)
        gate.remember(error, relayText: text, recipient: alice, at: now)
        return (error, gate.check(alice, at: now + 1), gate.check(bob, at: now + 1))
    }

    @Test("every refusal maps to Meta's code and is held for its own duration")
    func everyRefusal() {
        let now: Int64 = 1_700_000_000_000
        let pair = Self.read(.pairRate(retryAfterMilliseconds: 5_900), at: now)
        #expect(pair.0.code == 131056 && pair.0.httpStatus == 429)
        #expect(pair.alice == .refuse(pair.0, delayMilliseconds: 0) && pair.bob == .proceed)

        let throughput = Self.read(.throughput(perSecond: 80, retryAfterMilliseconds: 300), at: now)
        #expect(throughput.0.code == 130429)
        #expect(throughput.alice == .refuse(throughput.0, delayMilliseconds: 0) && throughput.bob == .refuse(throughput.0, delayMilliseconds: 0))

        let limit = Self.read(.messagingLimit(tier: .tier250, limit: 250), at: now)
        #expect(limit.0.code == 131048)
        #expect(limit.alice == .refuseIfBusinessInitiated(limit.0) && limit.bob == .proceed)

        let spam = Self.read(.spamRestriction(until: now + 3_600_000), at: now)
        #expect(spam.0.code == 131048)
        #expect(spam.alice == .refuseIfBusinessInitiated(spam.0) && spam.bob == .refuseIfBusinessInitiated(spam.0))

        let block = Self.read(.policyBlock(until: now + 3_600_000), at: now)
        #expect(block.0.code == 368 && block.0.httpStatus == 403)
        #expect(block.alice == .refuse(block.0, delayMilliseconds: 0) && block.bob == .refuse(block.0, delayMilliseconds: 0))
    }

    @Test("the durations read back are the analyzer's")
    func durations() {
        guard case let .deny(_, pair) = AdmissionRefusal.pairRate(retryAfterMilliseconds: 5_900).decision,
              case let .deny(_, block) = AdmissionRefusal.policyBlock(until: 1_700_000_123_456).decision else {
            Issue.record("a refusal was allowed")
            return
        }
        #expect(SendGate.retryMilliseconds(in: pair) == 5_900)
        #expect(SendGate.untilMilliseconds(in: block) == 1_700_000_123_456)
    }
}
