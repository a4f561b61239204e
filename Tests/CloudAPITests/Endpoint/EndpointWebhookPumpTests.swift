import Foundation
import Testing
@testable import CloudAPI
import Crypto
import Transport

/// The webhook pump parks what it cannot deliver now instead of skipping it: a business without
/// a webhook (its statuses are done at once) or with an unverified one must not hold the
/// delivery slots of another business in the same store.
@Suite("Cloud API endpoint: the webhook pump never starves a business behind undeliverable records")
struct EndpointWebhookPumpTests {
    @Test("statuses of a business without a webhook do not hold up another business's messages")
    func noWebhookDoesNotStarveOthers() throws {
        // Same region, so the same store: the first without a webhook, the second with one.
        let webhooks = RecordingWebhooks(verifyToken: "vt")
        let rig = try EndpointRig(
            "pump", businesses: [.init(phone: "+14155550100"), .init(phone: "+14155550101", webhookURL: "http://127.0.0.1:1/hook")],
            webhooks: webhooks, configure: { $0.webhookConcurrency = 4 })
        defer { rig.stop() }
        let (loop, endpoint, alice) = (rig.loop, rig.endpoint, rig.alice)
        let silent = rig.businesses[0], shop = rig.businesses[1].account.phone

        // The business without a webhook sends 12 templates: 12 `sent` statuses with nowhere to go.
        let template = #"{"messaging_product":"whatsapp","to":"447700900123","type":"template","template":{"name":"t","language":{"code":"en"}}}"#
        let answered = OnLoop<Int>()
        answered.value = 0
        _ = loop.executeAndWait {
            for _ in 0..<12 {
                endpoint.value?.sendMessage(phoneNumberID: silent.account.phoneNumberID, bearer: silent.token, body: Array(template.utf8)) {
                    if $0.status == 200 { answered.value? += 1 }
                }
            }
        }
        #expect(eventually { loop.executeAndWaitValue { answered.value } == 12 })
        #expect(eventually { alice.received.count == 12 })

        // Alice writes to the other business: its webhook arrives although 12 records of the
        // first are older and there are only 4 delivery slots.
        _ = loop.executeAndWait { alice.send("hello shop", to: shop, id: 1) }
        #expect(eventually { webhooks.posts.contains { String(decoding: $0.body, as: UTF8.self).contains("hello shop") } })
        // The silent business's statuses are done, not pending: nothing of it is re-read by the pump.
        let pending = try #require(loop.executeAndWaitValue { () -> [String]? in
            guard let endpoint = endpoint.value, let store = endpoint.stores.values.first else { return nil }
            return (try? store.pendingWebhooks(now: Int64.max / 2, limit: 100))?.map(\.businessPhoneNumberID)
        })
        #expect(!pending.contains(silent.account.phoneNumberID), "\(pending)")
        #expect(webhooks.posts.allSatisfy { !String(decoding: $0.body, as: UTF8.self).contains(silent.account.phoneNumberID) })
    }
}
