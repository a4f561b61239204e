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
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("vigil-pump-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: root, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: root) }
        let relay = try RelayHost.start(RelayConfiguration(listenAddress: try SocketAddress(parsing: "127.0.0.1:0"), dataDirectory: root + "/relay", tokenHasher: .sha256))
        defer { relay.stop() }
        let masterKey = try MasterKey.loadOrCreate(path: root + "/master.key")
        let quiet = try #require(PhoneNumber("+14155550100")), shop = try #require(PhoneNumber("+14155550101"))
        let registry = try BusinessRegistry(directory: root + "/cloudapi", masterKey: masterKey)
        // Same region, so the same store: the first without a webhook, the second with one.
        let silent = try registry.add(phone: quiet, name: "Quiet", webhookURL: nil, verifyToken: nil,
                                      appSecret: "s1", region: .eu, localStorageDirectory: nil, now: 0)
        _ = try registry.add(phone: shop, name: "Shop", webhookURL: "http://127.0.0.1:1/hook", verifyToken: "vt",
                             appSecret: "s2", region: .eu, localStorageDirectory: nil, now: 0)
        registry.close()
        let webhooks = RecordingWebhooks(verifyToken: "vt")
        let thread = try EventLoopThread(name: "pump-test")
        defer { thread.stopAndJoin() }
        let loop = thread.loop
        let endpoint = OnLoop<CloudAPIEndpoint>()
        let alice = try TestPhone("+447700900123")
        let relayAddress = relay.address
        _ = loop.executeAndWait {
            endpoint.value = try! CloudAPIEndpoint(
                configuration: EndpointConfiguration(relayAddress: relayAddress, dataDirectory: root + "/cloudapi", webhookConcurrency: 4),
                masterKey: masterKey, webhooks: webhooks, on: loop)
            try! alice.start(relay: relayAddress, on: loop)
        }
        defer { _ = loop.executeAndWait { endpoint.value?.stop(); endpoint.value = nil; alice.link?.close() } }
        #expect(eventually { alice.ready && (loop.executeAndWaitValue { endpoint.value?.connectedCount } ?? 0) == 2 })

        // The business without a webhook sends 12 templates: 12 `sent` statuses with nowhere to go.
        let template = #"{"messaging_product":"whatsapp","to":"447700900123","type":"template","template":{"name":"t","language":{"code":"en"}}}"#
        let answered = OnLoop<Int>()
        answered.value = 0
        _ = loop.executeAndWait {
            for _ in 0..<12 {
                endpoint.value?.sendMessage(phoneNumberID: silent.account.phoneNumberID, bearer: silent.accessToken, body: Array(template.utf8)) {
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
