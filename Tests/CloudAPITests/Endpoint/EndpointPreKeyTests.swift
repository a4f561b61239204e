import Foundation
import Testing
@testable import CloudAPI
import Crypto
import Transport

/// One-time prekeys: a session uses one, however many prekey messages it takes to get an answer.
@Suite("Cloud API endpoint: one-time prekeys")
struct EndpointPreKeyTests {
    /// Until the business answers, every message of Alice's session is a prekey message naming
    /// the same one-time prekey. Only the first starts a session: the endpoint counts one prekey
    /// used, keeps the rest of its batch, and publishes no new batch (it did every 25 messages,
    /// growing its key set without end).
    @Test func messagesBeforeAnAnswerUseOneOneTimePreKey() throws {
        let rig = try EndpointRig("prekeys", businesses: [.init(phone: "+14155550100")], webhooks: RecordingWebhooks(verifyToken: "vt"))
        defer { rig.stop() }
        let (loop, endpoint, alice) = (rig.loop, rig.endpoint, rig.alice)
        let business = rig.businesses[0].account
        func keys() -> (oneTime: Int, signed: Int, consumed: Int)? {
            loop.executeAndWaitValue {
                guard let state = endpoint.value?.businesses[business.phoneNumberID] else { return nil }
                return (state.party.preKeys.oneTimePreKeys.count, state.party.preKeys.signedPreKeys.count, state.preKeysConsumed)
            } ?? nil
        }
        let before = try #require(keys())
        let count = 60
        // The first message opens the session (sent alone: the test phone would open a second
        // one for a message sent before it has the first's bundle).
        _ = loop.executeAndWait { alice.send("message 1", to: business.phone, id: 1) }
        #expect(eventually { loop.executeAndWaitValue { endpoint.value?.statistics.inbound } == 1 })
        for id in 2...count {
            _ = loop.executeAndWait { alice.send("message \(id)", to: business.phone, id: UInt64(id)) }
        }
        #expect(eventually { loop.executeAndWaitValue { endpoint.value?.statistics.inbound } == count })
        let after = try #require(keys())
        #expect(after.consumed == 1, "one session, one one-time prekey")
        #expect(after.oneTime == before.oneTime - 1)
        #expect(after.signed == before.signed, "no new batch was published")
    }
}
