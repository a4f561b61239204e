public import Crypto
public import Transport

/// Everything a phone keeps between runs: its registration, its protocol party (identity, prekey
/// private keys, sessions), the ids it allocates, the envelopes it has already processed and the
/// sends the relay has not yet accepted.
///
/// A value whose steps are pure: each either succeeds and updates it or throws and leaves it
/// unchanged; `Phone` persists the new value before doing the I/O that depends on it.
///
/// It holds private keys (see `StateFile`).
public struct ClientState: Sendable {
    /// The registered number.
    public let phone: PhoneNumber
    /// The installation id registered with the number.
    public let device: DeviceID
    /// The relay-issued secret presented in every `hello`.
    public let token: RelayToken
    /// Identity, prekey private keys and one conversation per peer (keyed by E.164 text).
    public private(set) var party: Party
    /// The client message id the next send gets (then incremented).
    public private(set) var nextClientMessageID: UInt64
    /// The id the next published prekey gets (signed and one-time prekeys share the counter).
    public private(set) var nextPreKeyID: UInt32
    /// Whether the relay confirmed the last bundles made; `false` until then (e.g. a registration
    /// interrupted before publishing), and `Phone.connect()` publishes fresh ones.
    public private(set) var preKeysPublished: Bool
    /// Envelopes already processed, so redeliveries are dropped.
    public private(set) var seen: SeenEnvelopes
    /// Sends recorded but not yet accepted, oldest first.
    public private(set) var pendingSends: [PendingSend]

    /// The default number of remembered envelope ids.
    public static let defaultSeenCapacity = 4096

    /// A state as restored from storage or assembled after registration.
    ///
    /// - Parameter firstClientMessageID: where client message ids start. Registration draws it at
    ///   random (see ``initialClientMessageID(using:)``) so a reinstalled phone does not reuse ids
    ///   the relay still remembers for the number.
    public init(
        phone: PhoneNumber, device: DeviceID, token: RelayToken, party: Party,
        nextClientMessageID: UInt64, nextPreKeyID: UInt32 = 1, preKeysPublished: Bool = false,
        seen: SeenEnvelopes = SeenEnvelopes(capacity: ClientState.defaultSeenCapacity), pendingSends: [PendingSend] = []
    ) {
        self.phone = phone
        self.device = device
        self.token = token
        self.party = party
        self.nextClientMessageID = nextClientMessageID
        self.nextPreKeyID = nextPreKeyID
        self.preKeysPublished = preKeysPublished
        self.seen = seen
        self.pendingSends = pendingSends
    }

    /// A random first client message id in 1 ..< 2⁶², leaving room for 2⁶² sends without wrapping.
    public static func initialClientMessageID(using random: any RandomSource) throws(ClientError) -> UInt64 {
        let bytes: [UInt8]
        do { bytes = try random.bytes(count: 8) } catch { throw .crypto(.crypto(error), context: "drawing a client message id") }
        let value = bytes.reduce(UInt64(0)) { $0 << 8 | UInt64($1) } >> 2
        return max(value, 1)
    }

    // MARK: Prekeys

    /// Makes `count` fresh bundles to publish, keeping their private halves: each with its own
    /// signed prekey and a one-time prekey, except the last, which has none (the relay hands the
    /// last bundle out repeatedly, so it must not carry a key meant for one use).
    public mutating func makePreKeyBundles(count: Int) throws(ClientError) -> [PreKeyBundle] {
        guard (1...WireFormat.maximumBundleCount).contains(count) else {
            throw .invalidArgument("a prekey bundle count must be in 1…\(WireFormat.maximumBundleCount), not \(count)")
        }
        // One-time prekey ids must stay below 0xFFFFFFFF, which envelopes use for "none".
        guard nextPreKeyID <= UInt32.max - UInt32(count) else {
            throw .invalidArgument("prekey ids are exhausted")
        }
        var party = self.party
        var bundles: [PreKeyBundle] = []
        for index in 0..<count {
            let id = nextPreKeyID + UInt32(index)
            do {
                bundles.append(try party.makeBundle(signedPreKeyID: id, oneTimePreKeyID: index == count - 1 ? nil : id))
            } catch {
                throw .crypto(error, context: "making prekey bundle \(id)")
            }
        }
        self.party = party
        nextPreKeyID += UInt32(count)
        preKeysPublished = false
        return bundles
    }

    /// Records that the relay accepted the bundles last made.
    public mutating func markPreKeysPublished() {
        preKeysPublished = true
    }

    // MARK: Sessions

    /// The party's name for a peer: its E.164 text.
    static func peerName(_ phone: PhoneNumber) -> String { phone.e164 }

    /// Whether this phone has a session with `peer`.
    public func hasSession(with peer: PhoneNumber) -> Bool {
        party.conversations[Self.peerName(peer)] != nil
    }

    /// Starts a session with `peer` from its bundle (X3DH as the initiator), replacing any other.
    public mutating func startSession(with peer: PhoneNumber, bundle: PreKeyBundle) throws(ClientError) {
        do {
            try party.initiate(with: Self.peerName(peer), bundle: bundle)
        } catch {
            throw .crypto(error, context: "starting a session with \(peer)")
        }
    }

    // MARK: Sending

    /// Encrypts `plaintext` for `recipient` in the existing session, gives it the next client
    /// message id and records it as pending. The caller persists the state, then sends.
    public mutating func queueMessage(
        _ plaintext: some Collection<UInt8>, to recipient: PhoneNumber, kind: EnvelopeKind
    ) throws(ClientError) -> PendingSend {
        guard !plaintext.isEmpty else { throw .invalidArgument("a message needs at least one byte") }
        guard nextClientMessageID < UInt64.max else { throw .invalidArgument("client message ids are exhausted") }
        var party = self.party
        let envelope: SessionEnvelope
        do {
            envelope = try party.encrypt(plaintext, for: Self.peerName(recipient))
        } catch {
            throw .crypto(error, context: "encrypting for \(recipient)")
        }
        let ciphertext = envelope.encoded
        guard ciphertext.count <= WireFormat.maximumCiphertextLength else {
            throw .invalidArgument(
                "the message encrypts to \(ciphertext.count) bytes, above the relay's limit of \(WireFormat.maximumCiphertextLength)")
        }
        let pending = PendingSend(clientMessageID: nextClientMessageID, recipient: recipient, kind: kind, ciphertext: ciphertext)
        self.party = party
        nextClientMessageID += 1
        pendingSends.append(pending)
        return pending
    }

    /// Forgets the pending send with `clientMessageID` (accepted, or refused for good); returns it.
    @discardableResult
    public mutating func completeSend(clientMessageID: UInt64) -> PendingSend? {
        guard let index = pendingSends.firstIndex(where: { $0.clientMessageID == clientMessageID }) else { return nil }
        return pendingSends.remove(at: index)
    }

    // MARK: Receiving

    /// What opening a delivered envelope gave.
    public enum Opened: Sendable, Hashable {
        /// A new message, decrypted; the envelope is now recorded as seen.
        case message(ReceivedMessage)
        /// The envelope was processed before — a redelivery, or the sender's resend of bytes this
        /// phone already decrypted under another envelope id (the relay delivers to online phones
        /// before its commit, so a crash makes the sender resend) — acknowledge it, show nothing.
        case duplicate
        /// The envelope cannot be decrypted; it is now recorded as seen so it is not retried.
        case undecryptable(reason: String)
    }

    /// Opens a delivered envelope: drops a redelivery, otherwise decrypts it in the sender's
    /// session (a prekey message starts one) and records its id. A message whose key this
    /// session already used is a duplicate too: the same ciphertext resent under a new envelope
    /// id. The caller persists the state before acknowledging.
    public mutating func open(_ delivered: DeliveredEnvelope) -> Opened {
        guard !seen.contains(delivered.id) else { return .duplicate }
        var party = self.party
        let plaintext: [UInt8]
        do throws(ProtocolError) {
            let peer = Self.peerName(delivered.sender)
            let envelope = try party.envelope(decoding: delivered.ciphertext, from: peer)
            plaintext = try party.decrypt(envelope, from: peer)
        } catch {
            seen.insert(delivered.id)
            if case .duplicateOrExpiredMessage = error { return .duplicate }
            return .undecryptable(reason: error.description)
        }
        self.party = party
        seen.insert(delivered.id)
        return .message(ReceivedMessage(
            envelopeID: delivered.id, sender: delivered.sender, serverTimeMilliseconds: delivered.serverTimeMilliseconds,
            kind: delivered.kind, plaintext: plaintext))
    }
}
