import Foundation
import Testing
@testable import CloudAPI
import Crypto
import Transport

@Suite("Cloud API endpoint retention on an injected clock")
struct EndpointRetentionTests {
    static let day: Int64 = 86_400_000

    @Test("a day-0 message is retransmitted from the store on day 29 and unrecoverable from every file on day 31")
    func retention() throws {
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("vigil-retention-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: root, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: root) }
        let relay = try RelayHost.start(RelayConfiguration(listenAddress: try SocketAddress(parsing: "127.0.0.1:0"), dataDirectory: root + "/relay", tokenHasher: .sha256))
        defer { relay.stop() }
        let masterKey = try MasterKey.loadOrCreate(path: root + "/master.key")
        let shop = PhoneNumber("+14155550100")!
        do {
            let registry = try BusinessRegistry(directory: root + "/cloudapi", masterKey: masterKey)
            _ = try registry.add(phone: shop, name: "Shop", webhookURL: "http://127.0.0.1:1/hook", verifyToken: "vt",
                                 appSecret: "secret", region: .eu, localStorageDirectory: nil, now: 0)
            registry.close()
        }
        let canary = "canary-" + UUID().uuidString
        let clock = TestClock(RelayServer.wallClock())
        let webhooks = RecordingWebhooks(verifyToken: "vt")
        webhooks.postStatus = 500
        let thread = try EventLoopThread(name: "retention-test")
        defer { thread.stopAndJoin() }
        let loop = thread.loop
        let endpoint = OnLoop<CloudAPIEndpoint>()
        let alice = try TestPhone("+447700900123")
        let relayAddress = relay.address
        _ = loop.executeAndWait {
            endpoint.value = try! CloudAPIEndpoint(
                configuration: EndpointConfiguration(relayAddress: relayAddress, dataDirectory: root + "/cloudapi"),
                masterKey: masterKey, webhooks: webhooks, on: loop, clock: clock)
            try! alice.start(relay: relayAddress, on: loop)
        }
        #expect(eventually { alice.ready && (loop.executeAndWaitValue { endpoint.value?.connectedCount } ?? 0) == 1 })
        _ = loop.executeAndWait { alice.send("order " + canary, to: shop, id: 1) }

        // Day 0: the webhook fails (500); with the clock frozen, backoff holds further attempts.
        #expect(eventually { webhooks.posts.count >= 1 })
        let failedAttempts = webhooks.posts.count
        #expect(loop.executeAndWaitValue { endpoint.value?.statistics.webhooksDelivered } == 0)

        // Day 29: the receiver is back; the message is retransmitted from the encrypted store.
        webhooks.postStatus = 200
        clock.advance(29 * Self.day)
        #expect(eventually { loop.executeAndWaitValue { endpoint.value?.statistics.webhooksDelivered } == 1 })
        #expect(webhooks.posts.count == failedAttempts + 1)
        #expect(String(decoding: try #require(webhooks.posts.last).body, as: UTF8.self).contains(canary))

        // Day 31: the day is shredded, the idle session is gone.
        clock.advance(2 * Self.day)
        #expect(eventually {
            loop.executeAndWaitValue { (endpoint.value?.stores.values.allSatisfy { $0.days.isEmpty } ?? false) } == true
        })
        #expect(eventually { loop.executeAndWaitValue { endpoint.value?.businesses.values.first?.party.conversations.isEmpty } == true })
        _ = loop.executeAndWait { endpoint.value?.stop(); endpoint.value = nil; alice.link?.close() }

        // Nothing of day 0 in any file the endpoint wrote: not the text, not the consumer's number.
        var scanned = 0
        let enumerator = FileManager.default.enumerator(atPath: root + "/cloudapi")
        while let name = enumerator?.nextObject() as? String {
            let path = root + "/cloudapi/" + name
            var isDirectory: ObjCBool = false
            guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory), !isDirectory.boolValue else { continue }
            let bytes = try Data(contentsOf: URL(fileURLWithPath: path))
            scanned += 1
            for needle in [canary, "447700900123", "order "] {
                #expect(bytes.range(of: Data(needle.utf8)) == nil, "\(needle) found in \(name)")
            }
        }
        #expect(scanned >= 2)
    }
}
