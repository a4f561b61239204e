import Foundation
import Storage
import Testing
@testable import CloudAPI
import Crypto
@testable import Transport

/// The endpoint's durability pipeline against a failing sync: nothing of the failed stage is
/// acknowledged, and the relay's re-delivery brings the message to the webhook exactly once.
@Suite("Cloud API endpoint: a failed sync acknowledges nothing and loses nothing")
struct EndpointDurabilityTests {
    @Test("a send whose relay commit failed after the user got it is resent unchanged: 200, and the user has it once")
    func unconfirmedSendIsResentUnchanged() throws {
        let stores = LockedValue<[FailingRelayStore]>([])
        let rig = try EndpointRig("unconfirmed", businesses: [.init(phone: "+14155550100")], webhooks: RecordingWebhooks(verifyToken: "vt"),
                                  relayStore: { directory throws(RelayError) in
                                      let store = try FailingRelayStore(directory: directory)
                                      stores.withLock { $0.append(store) }
                                      return store
                                  })
        defer { rig.stop() }
        let (loop, endpoint, alice) = (rig.loop, rig.endpoint, rig.alice)
        func text(_ body: String) -> String { #"{"messaging_product":"whatsapp","to":"447700900123","type":"text","text":{"body":"\#(body)"}}"# }
        _ = loop.executeAndWait { alice.send("hello", to: rig.businesses[0].account.phone, id: 1) }   // opens the 24-hour window
        #expect(eventually { loop.executeAndWaitValue { endpoint.value?.statistics.inbound } == 1 })
        #expect(rig.send(text("first"))?.status == 200)
        #expect(eventually { alice.received.map(\.text) == ["first"] })

        // The relay delivers "second" to Alice, then its commit fails: it closes every connection.
        stores.withLock { $0.last?.failNextSend(from: rig.businesses[0].account.phone) }
        let reply = rig.send(text("second"))
        #expect(reply?.status == 200, "answered \(String(describing: reply))")
        #expect(loop.executeAndWaitValue { endpoint.value?.statistics.resentUnconfirmed } == 1)
        #expect(alice.received.map(\.text) == ["first", "second"])
        // Alice comes back: the resend waited in her queue; her session drops it as already opened.
        #expect(alice.dropped == 0)
        _ = loop.executeAndWait { try! alice.start(relay: rig.relay.address, on: loop) }
        #expect(eventually { alice.dropped == 1 })
        #expect(alice.received.map(\.text) == ["first", "second"])
    }

    @Test("a user's resend of bytes the endpoint already decrypted, under a new envelope id, is a duplicate: one webhook")
    func resendUnderANewEnvelopeIDIsADuplicate() throws {
        let webhooks = RecordingWebhooks(verifyToken: "vt")
        let rig = try EndpointRig("resend", businesses: [.init(phone: "+14155550100", webhookURL: "http://127.0.0.1:1/hook")], webhooks: webhooks)
        defer { rig.stop() }
        let (loop, endpoint, alice) = (rig.loop, rig.endpoint, rig.alice)
        let shop = rig.businesses[0].account.phone
        func posts(_ text: String) -> Int { webhooks.posts.filter { String(decoding: $0.body, as: UTF8.self).contains(text) }.count }
        _ = loop.executeAndWait { alice.send("only once", to: shop, id: 1) }
        #expect(eventually { posts("only once") == 1 })
        // The relay crashed after delivering and before committing: the phone resends, the relay
        // (which never stored id 1) gives the same bytes a new envelope id.
        _ = loop.executeAndWait { alice.resendLast(as: 2) }
        #expect(eventually { loop.executeAndWaitValue { endpoint.value?.statistics.duplicates } == 1 })
        _ = loop.executeAndWait { alice.send("and then", to: shop, id: 3) }
        #expect(eventually { posts("and then") == 1 })
        #expect(posts("only once") == 1)
        #expect(loop.executeAndWaitValue { endpoint.value?.statistics.undecryptable } == 0)
        #expect(loop.executeAndWaitValue { endpoint.value?.statistics.inbound } == 2)
    }

    @Test("an inbound message whose records' sync fails is re-delivered, stored once and reaches the webhook once")
    func failedSyncIsRecovered() throws {
        let webhooks = RecordingWebhooks(verifyToken: "vt")
        let rig = try EndpointRig("durability", businesses: [.init(phone: "+14155550100", webhookURL: "http://127.0.0.1:1/hook")], webhooks: webhooks)
        defer { rig.stop() }
        let (loop, endpoint, alice) = (rig.loop, rig.endpoint, rig.alice)
        let shop = rig.businesses[0].account.phone
        #expect(eventually { webhooks.gets.count == 1 })
        #expect(eventually { loop.executeAndWaitValue { endpoint.value?.account(rig.businesses[0].account.phoneNumberID)?.webhookVerified } == true })

        // The stage holding the decrypted message (record, advanced session, relay ack) fails at its sync.
        _ = loop.executeAndWait {
            endpoint.value?.injectedSyncFailure = .aborted("injected by the test")
            alice.send("first try", to: shop, id: 1)
        }
        #expect(eventually { loop.executeAndWaitValue { endpoint.value?.statistics.commitFailures } == 1 })
        #expect(loop.executeAndWaitValue { endpoint.value?.lastError }??.contains("injected by the test") == true)

        // The ack never left, the session was reloaded from disk: the relay delivers again after
        // the reconnect, the record (already committed) is found, and the webhook goes out once.
        #expect(eventually { webhooks.posts.contains { String(decoding: $0.body, as: UTF8.self).contains("first try") } })
        _ = loop.executeAndWait { alice.send("second", to: shop, id: 2) }
        #expect(eventually { webhooks.posts.contains { String(decoding: $0.body, as: UTF8.self).contains("second") } })
        #expect(webhooks.posts.filter { String(decoding: $0.body, as: UTF8.self).contains("first try") }.count == 1)
        // And the pipeline runs on: a send is encrypted, made durable and answered.
        let reply = rig.send(#"{"messaging_product":"whatsapp","to":"447700900123","type":"text","text":{"body":"welcome back"}}"#)
        #expect(reply?.status == 200)
        #expect(eventually { alice.received.map(\.text) == ["welcome back"] })
        #expect(loop.executeAndWaitValue { endpoint.value?.statistics.commitFailures } == 1)
        let undecryptable = loop.executeAndWaitValue { endpoint.value?.statistics.undecryptable }
        #expect(undecryptable == 0, "the reloaded session decrypts the re-delivery")
    }
}
