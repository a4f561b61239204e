import Client
import Crypto
import Transport

extension Harness {
    /// The phone's state file, as `StateFile.load` decodes it from disk.
    static let stateImage = Harness(
        name: "state-image",
        summary: """
            ClientState(image:) twice: on the raw input (a damaged file: magic, version, length and checksum \
            guards), and on the input as an image body wrapped in a valid header and SHA-256 (so the fuzzer \
            reaches the phone, prekeys, party, seen ids and pending sends); an accepted image re-serializes \
            to exactly the same bytes.
            """,
        maximumLength: 16 * 1024,
        run: { StateRecordHarnesses.stateImage($0) },
        seeds: { StateRecordHarnesses.stateImageSeeds() }
    )

    /// A party record (identity, prekeys, sessions), as stored inside the state file and by custody.
    static let partyRecord = Harness(
        name: "party-record",
        summary: """
            Party(serialized:): an accepted record re-serializes to exactly the input, and decodes again.
            """,
        maximumLength: 16 * 1024,
        run: { StateRecordHarnesses.partyRecord($0) },
        seeds: { StateRecordHarnesses.partySeeds() }
    )

    /// One conversation's stored session state (Double Ratchet chains, skipped keys, pending prekey).
    static let conversationRecord = Harness(
        name: "conversation-record",
        summary: """
            Conversation(serialized:): an accepted record re-serializes to exactly the input; the restored \
            session then encrypts, and decrypts the fixture's pending envelope without trapping.
            """,
        maximumLength: 16 * 1024,
        run: { StateRecordHarnesses.conversationRecord($0) },
        seeds: { StateRecordHarnesses.conversationSeeds() }
    )
}

enum StateRecordHarnesses {
    // MARK: State image

    static func stateImage(_ input: UnsafeRawBufferPointer) -> Bool {
        let raw = checkImage(Array(input))
        let framed = checkImage(framedImage(body: input))
        return raw || framed
    }

    private static func checkImage(_ image: [UInt8]) -> Bool {
        let state: ClientState
        do { state = try ClientState(image: image, random: CryptoFixture.random(7)) } catch { return false }
        do {
            let again = try state.serializedImage()
            FuzzCheck.requireEqualBytes(again, image, "an accepted state image re-serializes to other bytes")
        } catch {
            FuzzCheck.fail("an accepted state does not serialize: \(error)")
        }
        return true
    }

    /// `magic ‖ version ‖ body length ‖ body ‖ SHA-256 of all before` (ClientState+Codec.swift).
    private static func framedImage(body: UnsafeRawBufferPointer) -> [UInt8] {
        var image = ClientState.imageMagic
        image += [UInt8(ClientState.imageVersion >> 8), UInt8(truncatingIfNeeded: ClientState.imageVersion)]
        let length = UInt32(body.count)
        image += [24, 16, 8, 0].map { UInt8(truncatingIfNeeded: length >> $0) }
        image += body
        do { image += try SHA256.hash(data: image) } catch { FuzzCheck.fail("SHA-256 failed: \(error)") }
        return image
    }

    static func stateImageSeeds() -> [[UInt8]] {
        let fixture = CryptoFixture.shared
        guard let phone = PhoneNumber("+14155550100"), let device = DeviceID(rawValue: 3),
              let token = RelayToken(bytes: [UInt8](repeating: 0xa5, count: RelayToken.byteCount)),
              let shop = PhoneNumber("+442071234567")
        else { FuzzCheck.fail("seed constants do not parse") }
        var seen = SeenEnvelopes(capacity: 8)
        _ = seen.insert(EnvelopeID(high: 1, low: 2))
        let pending = PendingSend(clientMessageID: 5, recipient: shop, kind: .user, ciphertext: [1, 2, 3])
        let states = [
            ClientState(phone: phone, device: device, token: token, party: fixture.alice, nextClientMessageID: 1),
            ClientState(phone: phone, device: device, token: token, party: fixture.alice, nextClientMessageID: 9,
                        nextPreKeyID: 4, preKeysPublished: true, seen: seen, pendingSends: [pending]),
        ]
        return states.compactMap { state in
            // The harness wraps its input in the header and checksum: a seed is the body alone.
            guard let image = try? state.serializedImage() else { return nil }
            return Array(image.dropFirst(ClientState.imageMagic.count + 2 + 4).dropLast(SHA256.byteCount))
        }
    }

    // MARK: Party

    static func partyRecord(_ input: UnsafeRawBufferPointer) -> Bool {
        let party: Party
        do { party = try Party(serialized: input, random: CryptoFixture.random(8)) } catch { return false }
        let bytes = party.serialized()
        FuzzCheck.requireEqualBytes(bytes, input, "an accepted party record re-serializes to other bytes")
        FuzzCheck.require((try? Party(serialized: bytes, random: CryptoFixture.random(8))) != nil, "a re-serialized party is refused")
        return true
    }

    static func partySeeds() -> [[UInt8]] {
        var fresh: Party
        do { fresh = try Party(random: CryptoFixture.random(9)) } catch { FuzzCheck.fail("no party: \(error)") }
        _ = try? fresh.makeBundle(signedPreKeyID: 2, oneTimePreKeyID: 3)
        return [Array(CryptoFixture.shared.alice.serialized()), Array(fresh.serialized())]
    }

    // MARK: Conversation

    static func conversationRecord(_ input: UnsafeRawBufferPointer) -> Bool {
        var conversation: Conversation
        do { conversation = try Conversation(serialized: input) } catch { return false }
        FuzzCheck.requireEqualBytes(conversation.serialized(), input, "an accepted conversation record re-serializes to other bytes")
        var receiving = conversation
        _ = try? receiving.decrypt(CryptoFixture.shared.envelopes[2], random: CryptoFixture.random(10))
        _ = try? conversation.encrypt(Array("fuzz".utf8))
        return true
    }

    static func conversationSeeds() -> [[UInt8]] {
        let fixture = CryptoFixture.shared
        return [Array(fixture.bobConversation.serialized()), Array(fixture.aliceConversation.serialized())]
    }
}
