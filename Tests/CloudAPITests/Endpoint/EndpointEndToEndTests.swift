import Foundation
import Testing
@testable import CloudAPI
import Crypto
import Transport

@Suite("Cloud API endpoint end to end (relay on 127.0.0.1, user phones, recorded webhooks)")
struct EndpointEndToEndTests {
    @Test("user → business webhook (signed), business → user text and template, receipts → statuses, Graph errors")
    func conversation() throws {
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("vigil-endpoint-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: root, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: root) }
        let relay = try RelayHost.start(RelayConfiguration(listenAddress: try SocketAddress(parsing: "127.0.0.1:0"), dataDirectory: root + "/relay", tokenHasher: .sha256))
        defer { relay.stop() }
        let masterKey = try MasterKey.loadOrCreate(path: root + "/master.key")
        let shopNumber = PhoneNumber("+14155550100")!
        let token: String
        let phoneNumberID: String
        do {
            let registry = try BusinessRegistry(directory: root + "/cloudapi", masterKey: masterKey)
            let added = try registry.add(phone: shopNumber, name: "Shop", webhookURL: "http://127.0.0.1:1/hook", verifyToken: "vt-1",
                                         appSecret: "app-secret", region: .eu, localStorageDirectory: nil, now: 0)
            token = added.accessToken
            phoneNumberID = added.account.phoneNumberID
            registry.close()
        }
        let webhooks = RecordingWebhooks(verifyToken: "vt-1")
        let thread = try EventLoopThread(name: "endpoint-test")
        defer { thread.stopAndJoin() }
        let loop = thread.loop
        let endpoint = OnLoop<CloudAPIEndpoint>()
        let alice = try TestPhone("+447700900123"), bob = try TestPhone("+4930123456")
        let relayAddress = relay.address
        _ = loop.executeAndWait {
            endpoint.value = try! CloudAPIEndpoint(
                configuration: EndpointConfiguration(relayAddress: relayAddress, dataDirectory: root + "/cloudapi"),
                masterKey: masterKey, webhooks: webhooks, on: loop)
            try! alice.start(relay: relayAddress, on: loop)
            try! bob.start(relay: relayAddress, on: loop)
        }
        defer { _ = loop.executeAndWait { endpoint.value?.stop(); endpoint.value = nil; alice.link?.close(); bob.link?.close() } }
        #expect(eventually { alice.ready && bob.ready && (loop.executeAndWaitValue { endpoint.value?.connectedCount } ?? 0) == 1 })
        #expect(eventually { webhooks.gets.count == 1 })
        #expect(webhooks.gets.first?.contains("hub.verify_token=vt-1") == true)

        // Alice writes to the business: the webhook carries the decrypted text, signed.
        _ = loop.executeAndWait { alice.send("I want to order", to: shopNumber, id: 1) }
        #expect(eventually { webhooks.posts.count == 1 }, "endpoint: \(String(describing: loop.executeAndWaitValue { endpoint.value.map { "\($0.statistics) \($0.lastError ?? "-")" } }))")
        let post = try #require(webhooks.posts.first)
        let expected = try WebhookSignature.header(for: post.body, appSecret: "app-secret")
        #expect(post.headers.contains { $0.0 == "X-Hub-Signature-256" && $0.1 == expected })
        let value = try #require((((webhooks.objects().first?["entry"] as? [[String: Any]])?.first?["changes"] as? [[String: Any]])?.first?["value"]) as? [String: Any])
        let message = try #require((value["messages"] as? [[String: Any]])?.first)
        #expect((message["text"] as? [String: String])?["body"] == "I want to order")
        #expect(message["from"] as? String == "447700900123")
        let contact = try #require((value["contacts"] as? [[String: Any]])?.first)
        #expect((contact["user_id"] as? String)?.hasPrefix("US.") == true)

        // The business answers with text inside the 24-hour window.
        let reply = OnLoop<GraphReply>()
        let text = #"{"messaging_product":"whatsapp","to":"447700900123","type":"text","text":{"body":"Sure! Which size?"},"biz_opaque_callback_data":"trk-1"}"#
        _ = loop.executeAndWait {
            endpoint.value?.sendMessage(phoneNumberID: phoneNumberID, bearer: token, body: Array(text.utf8)) { reply.value = $0 }
        }
        #expect(eventually { loop.executeAndWaitValue { reply.value } != nil })
        let sent = try #require(loop.executeAndWaitValue { reply.value } as GraphReply?)
        #expect(sent.status == 200)
        let sentObject = try #require(try JSONSerialization.jsonObject(with: Data(sent.body)) as? [String: Any])
        let wamid = try #require((sentObject["messages"] as? [[String: Any]])?.first?["id"] as? String)
        #expect(wamid.hasPrefix("wamid."))
        #expect(eventually { alice.received.count == 1 })
        #expect(alice.received.first?.text == "Sure! Which size?")
        #expect(alice.received.first.map { CloudAPIEndpoint.messageID($0.id) } == wamid)
        // A `sent` status webhook follows; Alice's read receipt brings a `read` one.
        #expect(eventually { webhooks.objects().contains { Self.status(of: $0) == "sent" } })
        // The business's tracker comes back in its statuses.
        let sentStatus = webhooks.objects().first { Self.status(of: $0) == "sent" }
        let statusEntry = ((((sentStatus?["entry"] as? [[String: Any]])?.first?["changes"] as? [[String: Any]])?.first?["value"] as? [String: Any])?["statuses"] as? [[String: Any]])?.first
        #expect(statusEntry?["biz_opaque_callback_data"] as? String == "trk-1")
        _ = loop.executeAndWait { alice.link?.sendReceipt(Receipt(kind: .read, counterpart: shopNumber, envelopeIDs: [alice.received[0].id])) }
        #expect(eventually { webhooks.objects().contains { Self.status(of: $0) == "read" } })
        // The `sent` status is the message record's own webhook: it went once, no record of its
        // own was stored, and the receipt moved the message's status without undoing that.
        #expect(webhooks.objects().filter { Self.status(of: $0) == "sent" && Self.statusID(of: $0) == wamid }.count == 1)
        let storedMessage: () -> (MessageRecord?, MessageRecord?) = {
            loop.executeAndWaitValue {
                guard let endpoint = endpoint.value, let account = endpoint.account(phoneNumberID),
                      let store = try? endpoint.store(for: account) else { return (nil, nil) }
                return ((try? store.record(id: wamid)) ?? nil, (try? store.record(id: wamid + "#sent")) ?? nil)
            } ?? (nil, nil)
        }
        #expect(eventually { storedMessage().0?.delivery.webhookDelivered == true })
        #expect(storedMessage().0?.delivery.status == .read)
        #expect(storedMessage().0?.kind == "text:service")
        #expect(storedMessage().1 == nil)
        // A message stored before ids led with the low half (its record under the legacy id): a
        // receipt for it still finds it and brings its status.
        let legacy = EnvelopeID(high: 0x0123_4567_89AB_CDEF, low: 42)
        let legacyID = CloudAPIEndpoint.legacyMessageID(legacy)
        #expect(legacyID != CloudAPIEndpoint.messageID(legacy))
        let storedLegacy: Bool = loop.executeAndWaitValue {
            guard let endpoint = endpoint.value, let account = endpoint.account(phoneNumberID),
                  let store = try? endpoint.store(for: account) else { return false }
            let record = MessageRecord(
                id: legacyID, businessPhoneNumberID: phoneNumberID, business: shopNumber.e164, consumer: "+447700900123",
                direction: .outbound, time: Int64(Date().timeIntervalSince1970 * 1000), kind: "text", payload: Array(#"{"type":"text"}"#.utf8),
                delivery: DeliveryState(status: .sent, nextAttemptAt: 0, webhookDelivered: true))
            return (try? store.append(record)) != nil && (try? store.commit()) != nil
        } ?? false
        #expect(storedLegacy)
        _ = loop.executeAndWait { alice.link?.sendReceipt(Receipt(kind: .delivered, counterpart: shopNumber, envelopeIDs: [legacy])) }
        #expect(eventually { webhooks.objects().contains { Self.status(of: $0) == "delivered" && Self.statusID(of: $0) == legacyID } })
        // An envelope re-delivered after the upgrade whose record was stored under the legacy id
        // (the session already past it or not): a duplicate, acknowledged — never decrypted, stored
        // or posted again. Its ciphertext here could not be decrypted at all.
        let legacyInbound = EnvelopeID(high: 0x0FED_CBA9_8765_4321, low: 43)
        let inboundTime = Int64(Date().timeIntervalSince1970 * 1000)
        let counts: (duplicates: Int, undecryptable: Int, before: Int)? = loop.executeAndWaitValue {
            guard let endpoint = endpoint.value, let account = endpoint.account(phoneNumberID), let state = endpoint.businesses[phoneNumberID],
                  let store = try? endpoint.store(for: account) else { return nil }
            let record = MessageRecord(
                id: CloudAPIEndpoint.legacyMessageID(legacyInbound), businessPhoneNumberID: phoneNumberID, business: shopNumber.e164,
                consumer: "+447700900123", direction: .inbound, time: inboundTime, kind: "text", payload: Array(#"{"object":"x"}"#.utf8),
                delivery: DeliveryState(status: .accepted, nextAttemptAt: 0, webhookDelivered: true))
            guard (try? store.append(record)) != nil, (try? store.commit()) != nil else { return nil }
            let before = endpoint.statistics.duplicates
            endpoint.received(DeliveredEnvelope(id: legacyInbound, sender: PhoneNumber("+447700900123")!, serverTimeMilliseconds: UInt64(inboundTime),
                                                kind: .user, ciphertext: [1, 2, 3]), for: state)
            return (endpoint.statistics.duplicates, endpoint.statistics.undecryptable, before)
        } ?? nil
        #expect(counts?.duplicates == (counts?.before ?? -1) + 1, "recognised under its legacy id")
        #expect(counts?.undecryptable == 0)
        // An envelope the relay accepted long after the link connected cannot be a re-delivery:
        // it is not looked up (so this one, whose id is stored, is decrypted — and fails).
        let later = EnvelopeID(high: 0x0FED_CBA9_8765_4321, low: 44)
        let laterTime = inboundTime + CloudAPIEndpoint.redeliveryClockMargin + 60_000
        let skipped: (checks: Int, undecryptable: Int, duplicates: Int)? = loop.executeAndWaitValue {
            guard let endpoint = endpoint.value, let account = endpoint.account(phoneNumberID), let state = endpoint.businesses[phoneNumberID],
                  let store = try? endpoint.store(for: account) else { return nil }
            let record = MessageRecord(
                id: CloudAPIEndpoint.messageID(later), businessPhoneNumberID: phoneNumberID, business: shopNumber.e164,
                consumer: "+447700900123", direction: .inbound, time: laterTime, kind: "text", payload: Array(#"{"object":"x"}"#.utf8),
                delivery: DeliveryState(status: .accepted, nextAttemptAt: 0, webhookDelivered: true))
            guard (try? store.append(record)) != nil, (try? store.commit()) != nil else { return nil }
            let checks = endpoint.statistics.duplicateChecks
            endpoint.received(DeliveredEnvelope(id: later, sender: PhoneNumber("+447700900123")!, serverTimeMilliseconds: UInt64(laterTime),
                                                kind: .user, ciphertext: [1, 2, 3]), for: state)
            return (endpoint.statistics.duplicateChecks - checks, endpoint.statistics.undecryptable, endpoint.statistics.duplicates)
        } ?? nil
        #expect(skipped?.checks == 0)
        #expect(skipped?.undecryptable == 1)
        #expect(skipped?.duplicates == counts?.duplicates)

        // Bob never wrote: text is refused (131047), a template starts a session and arrives.
        let refused = OnLoop<GraphReply>()
        _ = loop.executeAndWait {
            endpoint.value?.sendMessage(phoneNumberID: phoneNumberID, bearer: token,
                                        body: Array(#"{"messaging_product":"whatsapp","to":"4930123456","text":{"body":"hi"}}"#.utf8)) { refused.value = $0 }
        }
        #expect(eventually { loop.executeAndWaitValue { refused.value } != nil })
        #expect(Self.code(loop.executeAndWaitValue { refused.value }) == 131047)
        let template = OnLoop<GraphReply>()
        _ = loop.executeAndWait {
            endpoint.value?.sendMessage(phoneNumberID: phoneNumberID, bearer: token, body: Array("""
                {"messaging_product":"whatsapp","to":"4930123456","type":"template","template":{"name":"welcome","language":{"code":"en"},
                 "components":[{"type":"body","parameters":[{"type":"text","text":"Bob"}]}]}}
                """.utf8)) { template.value = $0 }
        }
        #expect(eventually { bob.received.count == 1 })
        #expect(bob.received.first?.text == "[welcome · en] Bob")
        // The 200 follows the relay's acceptance and the record's sync: it may come after delivery.
        #expect(eventually { loop.executeAndWaitValue { template.value?.status } == 200 })

        // Wrong token, unknown number, unknown recipient.
        let errors = OnLoop<[GraphReply]>()
        errors.value = []
        _ = loop.executeAndWait {
            endpoint.value?.sendMessage(phoneNumberID: phoneNumberID, bearer: "nope", body: Array(text.utf8)) { errors.value?.append($0) }
            endpoint.value?.sendMessage(phoneNumberID: "999", bearer: token, body: Array(text.utf8)) { errors.value?.append($0) }
            endpoint.value?.sendMessage(phoneNumberID: phoneNumberID, bearer: token, body: Array("""
                {"messaging_product":"whatsapp","to":"15555550000","type":"template","template":{"name":"x","language":{"code":"en"}}}
                """.utf8)) { errors.value?.append($0) }
        }
        #expect(eventually { (loop.executeAndWaitValue { errors.value?.count } ?? 0) == 3 })
        let codes = Set((loop.executeAndWaitValue { errors.value } ?? []).map { Self.code($0) })
        #expect(codes == [190, 100, 131026])
        let info = try #require(loop.executeAndWaitValue { endpoint.value?.phoneNumber(phoneNumberID: phoneNumberID, bearer: token) })
        let infoObject = try #require(try JSONSerialization.jsonObject(with: Data(info.body)) as? [String: Any])
        #expect(infoObject["quality_rating"] as? String == "GREEN" && infoObject["status"] as? String == "CONNECTED")
    }

    static func status(of webhook: [String: Any]) -> String? {
        let value = (((webhook["entry"] as? [[String: Any]])?.first?["changes"] as? [[String: Any]])?.first?["value"]) as? [String: Any]
        return (value?["statuses"] as? [[String: Any]])?.first?["status"] as? String
    }

    static func statusID(of webhook: [String: Any]) -> String? {
        let value = (((webhook["entry"] as? [[String: Any]])?.first?["changes"] as? [[String: Any]])?.first?["value"]) as? [String: Any]
        return (value?["statuses"] as? [[String: Any]])?.first?["id"] as? String
    }

    static func code(_ reply: GraphReply?) -> Int? {
        guard let reply, let object = try? JSONSerialization.jsonObject(with: Data(reply.body)) as? [String: Any] else { return nil }
        return (object["error"] as? [String: Any])?["code"] as? Int
    }
}

extension EventLoop {
    /// Runs `body` on the loop and returns its value.
    func executeAndWaitValue<T: Sendable>(_ body: @escaping @Sendable () -> T?) -> T? {
        let box = OnLoop<T>()
        _ = executeAndWait { box.value = body() }
        return box.value
    }
}

@Suite struct MessageIDTests {
    /// A message id decodes to its envelope; ids of envelopes close in the relay's sequence share
    /// their first ten characters after `wamid.` (so their index entries are neighbours), whatever
    /// the random high halves.
    @Test func messageIDsRoundTripAndLeadWithTheSequence() {
        var generator = SystemRandomNumberGenerator()
        for _ in 0..<200 {
            let envelope = EnvelopeID.random(using: &generator)
            #expect(CloudAPIEndpoint.envelopeID(CloudAPIEndpoint.messageID(envelope)) == envelope)
        }
        #expect(CloudAPIEndpoint.envelopeID("wamid.HBgL") == nil)
        #expect(CloudAPIEndpoint.envelopeID("mid.AAAAAAAAAAAAAAAAAAAAAA") == nil)
        let base: UInt64 = 1_234_560
        let ids = (0..<16).map { CloudAPIEndpoint.messageID(EnvelopeID(high: generator.next(), low: base + $0)) }
        let prefixes = Set(ids.map { $0.dropFirst(6).prefix(10) })
        #expect(prefixes.count == 1, "\(ids)")
        #expect(Set(ids).count == 16)
    }
}
