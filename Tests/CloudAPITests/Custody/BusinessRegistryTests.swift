import Foundation
import Testing
@testable import CloudAPI
import Crypto
import Transport

@Suite("Business registry: custody of keys, sessions and secrets")
struct BusinessRegistryTests {
    let shop = PhoneNumber("+14155550100")!
    let user = PhoneNumber("+447700900123")!

    func temporaryDirectory() -> String {
        FileManager.default.temporaryDirectory.appendingPathComponent("vigil-registry-\(UUID().uuidString)").path
    }

    func key(_ byte: UInt8) throws -> MasterKey { try MasterKey(key: SymmetricKey(data: [UInt8](repeating: byte, count: 32))) }

    @Test("add → accounts round-trips every field; the access token authenticates, others do not")
    func addAndList() throws {
        let directory = temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let registry = try BusinessRegistry(directory: directory, masterKey: try key(1))
        let (account, token, _) = try registry.add(
            phone: shop, name: "Shop", webhookURL: "http://127.0.0.1:9/hook", verifyToken: "verify-me", appSecret: "s3cret",
            region: .eu, localStorageDirectory: nil, now: 1)
        #expect(account.phoneNumberID.count == 15 && account.phoneNumberID.allSatisfy(\.isNumber))
        #expect(token.hasPrefix("EAAV") && token.count > 40)
        let listed = try #require(try registry.accounts().first)
        #expect(listed.phoneNumberID == account.phoneNumberID && listed.phone == shop && listed.appSecret == "s3cret")
        #expect(listed.region == .eu && listed.webhookURL == "http://127.0.0.1:9/hook" && listed.verifyToken == "verify-me")
        #expect(listed.relayToken == nil && listed.messagingLimit == "TIER_250")
        #expect(BusinessRegistry.authenticates(token, listed))
        #expect(!BusinessRegistry.authenticates(token + "x", listed))
        #expect(throws: CloudAPIError.self) { try registry.add(phone: shop, name: "Again", webhookURL: nil, verifyToken: nil, appSecret: "x", region: .na, localStorageDirectory: nil, now: 2) }

        var updated = listed
        updated.relayToken = RelayToken(bytes: Array(0..<32))
        updated.qualityRating = "YELLOW"
        try registry.update(updated)
        try registry.commit()
        let again = try #require(try registry.accounts().first)
        #expect(again.relayToken == RelayToken(bytes: Array(0..<32)) && again.qualityRating == "YELLOW")
    }

    @Test("sessions persist separately and restore a working party; the file holds no number or secret in clear")
    func sessionsAndSecrecy() throws {
        let directory = temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let registry = try BusinessRegistry(directory: directory, masterKey: try key(2))
        var (account, _, business) = try registry.add(
            phone: shop, name: "Shop", webhookURL: nil, verifyToken: nil, appSecret: "app-secret-canary-7f3a", region: .na,
            localStorageDirectory: nil, now: 1)
        // A user starts a session with the business, as a phone would.
        let bundle = try business.makeBundle(signedPreKeyID: 1, oneTimePreKeyID: 10)
        try registry.saveKeys(of: business, for: account)
        var phone = try Party()
        try phone.initiate(with: shop.e164, bundle: bundle)
        let first = try phone.encrypt(Array("hello".utf8), for: shop.e164)
        #expect(try business.decrypt(first, from: user.e164) == Array("hello".utf8))
        try registry.saveKeys(of: business, for: account)
        try registry.saveSession(try #require(business.conversations[user.e164]), peer: user, for: account, now: 10)
        try registry.commit()
        registry.close()

        let reopened = try BusinessRegistry(directory: directory, masterKey: try key(2))
        account = try #require(try reopened.accounts().first)
        var restored = try reopened.party(for: account)
        #expect(restored.conversations.keys.sorted() == [user.e164])
        let reply = try restored.encrypt(Array("hi back".utf8), for: user.e164)
        #expect(try phone.decrypt(reply, from: shop.e164) == Array("hi back".utf8))
        let second = try phone.encrypt(Array("again".utf8), for: shop.e164)
        #expect(try restored.decrypt(second, from: user.e164) == Array("again".utf8))
        reopened.close()

        // Nothing identifying or secret in clear in any of the registry's files.
        for name in try FileManager.default.contentsOfDirectory(atPath: directory) {
            let bytes = try Data(contentsOf: URL(fileURLWithPath: directory).appendingPathComponent(name))
            for needle in ["447700900123", "app-secret-canary-7f3a", "hello"] {
                #expect(bytes.range(of: Data(needle.utf8)) == nil, "\(needle) found in \(name)")
            }
        }

        // A wrong master key is a typed refusal, not garbage.
        let wrong = try BusinessRegistry(directory: directory, masterKey: try key(3))
        defer { wrong.close() }
        do {
            _ = try wrong.accounts()
            Issue.record("a wrong master key must not open the secrets")
        } catch {
            guard case .unsealFailed = error else { Issue.record("expected unsealFailed, got \(error)"); return }
        }
    }

    @Test("idle sessions expire")
    func expiry() throws {
        let directory = temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let registry = try BusinessRegistry(directory: directory, masterKey: try key(4))
        var (account, _, business) = try registry.add(phone: shop, name: "S", webhookURL: nil, verifyToken: nil, appSecret: "a", region: .na, localStorageDirectory: nil, now: 0)
        let bundle = try business.makeBundle(signedPreKeyID: 1, oneTimePreKeyID: nil)
        var phone = try Party()
        try phone.initiate(with: shop.e164, bundle: bundle)
        _ = try business.decrypt(try phone.encrypt([1], for: shop.e164), from: user.e164)
        try registry.saveSession(try #require(business.conversations[user.e164]), peer: user, for: account, now: 100)
        try registry.commit()
        #expect(try registry.expireSessions(idleBefore: 100) == 0)
        account = try #require(try registry.accounts().first)
        #expect(try registry.party(for: account).conversations.count == 1)
        #expect(try registry.expireSessions(idleBefore: 101) == 1)
        #expect(try registry.party(for: account).conversations.isEmpty)
    }
}
