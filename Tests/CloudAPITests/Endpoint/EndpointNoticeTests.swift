import Foundation
import Testing
@testable import CloudAPI
import Crypto
import Transport

/// The relay's `integrity` notices (docs/wire.md) reach the business's endpoint: the number's
/// stored standing follows them and Meta's `phone_number_quality_update` / `account_update`
/// webhooks go out, signed and stored like every other webhook.
@Suite("Cloud API endpoint: integrity notices from the relay")
struct EndpointNoticeTests {
    static func change(of object: [String: Any]) -> (field: String, value: [String: Any])? {
        guard let change = ((object["entry"] as? [[String: Any]])?.first?["changes"] as? [[String: Any]])?.first,
              let field = change["field"] as? String, let value = change["value"] as? [String: Any] else { return nil }
        return (field, value)
    }

    @Test func noticesBecomeStandingAndMetaWebhooks() throws {
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("vigil-notice-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: root, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: root) }
        let relay = try RelayHost.start(RelayConfiguration(listenAddress: try SocketAddress(parsing: "127.0.0.1:0"), dataDirectory: root + "/relay", tokenHasher: .sha256))
        defer { relay.stop() }
        let masterKey = try MasterKey.loadOrCreate(path: root + "/master.key")
        let shop = try #require(PhoneNumber("+14155550100"))
        let account: BusinessAccount, accessToken: String
        do {
            let registry = try BusinessRegistry(directory: root + "/cloudapi", masterKey: masterKey)
            (account, accessToken, _) = try registry.add(phone: shop, name: "Shop", webhookURL: "http://127.0.0.1:1/hook", verifyToken: "vt-1",
                                     appSecret: "app-secret", region: .eu, localStorageDirectory: nil, now: 0)
            registry.close()
        }
        let phoneNumberID = account.phoneNumberID
        let webhooks = RecordingWebhooks(verifyToken: "vt-1")
        let thread = try EventLoopThread(name: "notice-test")
        defer { thread.stopAndJoin() }
        let loop = thread.loop
        let endpoint = OnLoop<CloudAPIEndpoint>()
        let relayAddress = relay.address
        _ = loop.executeAndWait {
            endpoint.value = try! CloudAPIEndpoint(
                configuration: EndpointConfiguration(relayAddress: relayAddress, dataDirectory: root + "/cloudapi"),
                masterKey: masterKey, webhooks: webhooks, on: loop)
        }
        defer { _ = loop.executeAndWait { endpoint.value?.stop(); endpoint.value = nil } }
        #expect(eventually { (loop.executeAndWaitValue { endpoint.value?.connectedCount } ?? 0) == 1 })
        #expect(eventually { webhooks.gets.count == 1 })

        // Nobody online as +1555…: the relay says so instead of queueing news.
        #expect(relay.withServer { $0.notify(PhoneNumber("+15550000000")!, kind: .integrity, text: "{}") } == false)

        let upgrade = #"{"t":1700000000000,"change":"tier_upgraded","quality_rating":"GREEN","status":"CONNECTED","current_limit":"TIER_2K","old_limit":"TIER_250","field":"phone_number_quality_update","event":"UPGRADE"}"#
        let restricted = #"{"t":1700000360000,"change":"spam_restricted","quality_rating":"RED","status":"FLAGGED","current_limit":"TIER_2K","until":1700086760000,"field":"account_update","event":"ACCOUNT_RESTRICTION"}"#
        let ratingOnly = #"{"t":1700000720000,"change":"quality_rating","quality_rating":"YELLOW","status":"FLAGGED","current_limit":"TIER_2K"}"#
        for text in [upgrade, "not json", restricted, ratingOnly] {
            #expect(relay.withServer { $0.notify(shop, kind: .integrity, text: text) } == true)
        }
        #expect(eventually { webhooks.posts.count == 2 })
        #expect(eventually { (loop.executeAndWaitValue { endpoint.value?.statistics.integrityNotices } ?? 0) == 3 })

        let posts = webhooks.posts
        for post in posts {
            let expected = try WebhookSignature.header(for: post.body, appSecret: "app-secret")
            #expect(post.headers.contains { $0.0 == "X-Hub-Signature-256" && $0.1 == expected })
        }
        let changes = webhooks.objects().compactMap(Self.change)
        let quality = try #require(changes.first { $0.field == "phone_number_quality_update" })
        #expect(quality.value["event"] as? String == "UPGRADE")
        #expect(quality.value["current_limit"] as? String == "TIER_2K" && quality.value["old_limit"] as? String == "TIER_250")
        #expect(quality.value["display_phone_number"] as? String == "14155550100")
        let update = try #require(changes.first { $0.field == "account_update" })
        #expect(update.value["event"] as? String == "ACCOUNT_RESTRICTION")
        let restriction = try #require((update.value["restriction_info"] as? [[String: Any]])?.first)
        #expect(restriction["restriction_type"] as? String == "RESTRICTED_BIZ_INITIATED_MESSAGING")
        #expect(restriction["expiration"] as? Int == 1_700_086_760)
        #expect(loop.executeAndWaitValue { endpoint.value?.lastError }??.contains("undecodable integrity notice") == true)

        // GET /{phone-number-id} answers the latest standing (the rating-only notice).
        let info = try #require(loop.executeAndWaitValue { endpoint.value?.phoneNumber(phoneNumberID: phoneNumberID, bearer: accessToken) })
        let object = try #require(try JSONSerialization.jsonObject(with: Data(info.body)) as? [String: Any])
        #expect(object["quality_rating"] as? String == "YELLOW")
        #expect(object["status"] as? String == "FLAGGED")
        #expect(object["messaging_limit_tier"] as? String == "TIER_2K")
    }
}
