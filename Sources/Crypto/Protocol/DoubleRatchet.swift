/// A Double Ratchet session (Signal's specification, libsignal's constants; docs/protocol.md).
///
/// A value: `encrypt` and `decrypt` are mutating and advance it; a `decrypt` that fails — forged,
/// replayed, damaged or too far ahead — throws and leaves the session exactly as it was.
/// Randomness for new ratchet keys is injected.
public struct DoubleRatchetSession: Sendable {
    /// Messages further ahead than this in one chain are refused (libsignal's MAX_FORWARD_JUMPS).
    public static let maximumForwardJump: UInt32 = 25_000

    /// AD = Encode(IK_initiator) ‖ Encode(IK_responder), fixed for the session.
    public let associatedData: [UInt8]
    var rootKey: SymmetricKey
    var sendingRatchetKey: Curve25519.KeyAgreement.PrivateKey
    var receivingRatchetKey: Curve25519.KeyAgreement.PublicKey?
    var sendingChainKey: SymmetricKey?
    var receivingChainKey: SymmetricKey?
    /// Ns, Nr, PN.
    var sendCount: UInt32 = 0
    var receiveCount: UInt32 = 0
    var previousSendCount: UInt32 = 0
    var skipped = SkippedMessageKeys()

    /// The initiator's session: a first DH ratchet step against the responder's signed prekey.
    public static func initiator(
        sharedSecret: SymmetricKey, associatedData: [UInt8], remoteRatchetKey: Curve25519.KeyAgreement.PublicKey,
        random: any RandomSource = SystemRandom()
    ) throws(ProtocolError) -> DoubleRatchetSession {
        try crypto { () throws(CryptoError) in
            let ratchetKey = try Curve25519.KeyAgreement.PrivateKey(using: random)
            let step = try KeySchedule.rootStep(
                rootKey: sharedSecret, dhOutput: try ratchetKey.sharedSecretFromKeyAgreement(with: remoteRatchetKey).secureBytes)
            var session = DoubleRatchetSession(
                associatedData: associatedData, rootKey: step.rootKey, sendingRatchetKey: ratchetKey)
            session.receivingRatchetKey = remoteRatchetKey
            session.sendingChainKey = step.chainKey
            return session
        }
    }

    /// The responder's session: its signed prekey is its first ratchet key; it can send once it
    /// has received.
    public static func responder(
        sharedSecret: SymmetricKey, associatedData: [UInt8], ratchetKey: Curve25519.KeyAgreement.PrivateKey
    ) -> DoubleRatchetSession {
        DoubleRatchetSession(associatedData: associatedData, rootKey: sharedSecret, sendingRatchetKey: ratchetKey)
    }

    init(associatedData: [UInt8], rootKey: SymmetricKey, sendingRatchetKey: Curve25519.KeyAgreement.PrivateKey) {
        self.associatedData = associatedData
        self.rootKey = rootKey
        self.sendingRatchetKey = sendingRatchetKey
    }

    /// Whether the session can send (it has a sending chain).
    public var canSend: Bool { sendingChainKey != nil }

    /// Encrypts `plaintext` with the next message key of the sending chain.
    public mutating func encrypt(_ plaintext: some Collection<UInt8>) throws(ProtocolError) -> RatchetMessage {
        guard let chainKey = sendingChainKey else { throw .cannotSendYet }
        guard sendCount < UInt32.max else { throw .counterExhausted }
        let header = MessageHeader(
            ratchetKey: sendingRatchetKey.publicKey, previousChainLength: previousSendCount, messageNumber: sendCount)
        var sealed: [UInt8] = []
        let nextChainKey: SymmetricKey
        do throws(CryptoError) {
            nextChainKey = try KeySchedule.nextMessageKey(chainKey: chainKey) {
                (key: UnsafeRawBufferPointer, nonce: UnsafeRawBufferPointer) throws(CryptoError) in
                sealed = try seal(plaintext, key: key, nonce: nonce, header: header)
            }
        } catch {
            throw .crypto(error)
        }
        sendingChainKey = nextChainKey
        sendCount += 1
        return RatchetMessage(header: header, sealed: sealed)
    }

    /// Decrypts `message`, ratcheting as needed. On any failure the session is unchanged.
    public mutating func decrypt(
        _ message: RatchetMessage, random: any RandomSource = SystemRandom()
    ) throws(ProtocolError) -> [UInt8] {
        // Fast path, the common case: the next message of the current receiving chain. Nothing
        // is skipped or ratcheted, so the session is only written after the message opened.
        let header = message.header
        if let chainKey = receivingChainKey, header.messageNumber == receiveCount,
            let current = receivingRatchetKey, current.rawRepresentation == header.ratchetKey.rawRepresentation,
            !holdsSkippedKey(ratchetKey: current.rawRepresentation, number: header.messageNumber)
        {
            let (plaintext, nextChainKey) = try openNext(message, chainKey: chainKey)
            receivingChainKey = nextChainKey
            receiveCount += 1
            return plaintext
        }
        var next = self
        let plaintext = try next.advanceAndDecrypt(message, random: random)
        self = next
        return plaintext
    }

    /// Whether the skipped-key store holds the seed of message `number` on the chain of
    /// `ratchetKey` (such a message must be opened with the stored seed, as `advanceAndDecrypt` does).
    private func holdsSkippedKey(ratchetKey: [UInt8], number: UInt32) -> Bool {
        skipped.chains.contains { $0.ratchetKey == ratchetKey && $0.seeds[number] != nil }
    }

    private mutating func advanceAndDecrypt(_ message: RatchetMessage, random: any RandomSource) throws(ProtocolError) -> [UInt8] {
        let header = message.header
        let remoteKey = header.ratchetKey.rawRepresentation
        if let seed = skipped.take(ratchetKey: remoteKey, number: header.messageNumber) {
            return try open(message, seed: seed)
        }
        if receivingRatchetKey?.rawRepresentation != remoteKey {
            if receivingChainKey != nil {
                try skipMessageKeys(until: header.previousChainLength)
            }
            try ratchet(to: header.ratchetKey, random: random)
        } else if header.messageNumber < receiveCount {
            throw .duplicateOrExpiredMessage(messageNumber: header.messageNumber)
        }
        try skipMessageKeys(until: header.messageNumber)
        guard let chainKey = receivingChainKey else { throw .duplicateOrExpiredMessage(messageNumber: header.messageNumber) }
        let (plaintext, nextChainKey) = try openNext(message, chainKey: chainKey)
        receivingChainKey = nextChainKey
        receiveCount += 1
        return plaintext
    }

    /// Opens `message` with the next message key of the chain at `chainKey`; returns the
    /// plaintext and the next chain key. Changes nothing.
    private func openNext(_ message: RatchetMessage, chainKey: SymmetricKey) throws(ProtocolError) -> ([UInt8], SymmetricKey) {
        var plaintext: [UInt8] = []
        let nextChainKey: SymmetricKey
        do throws(CryptoError) {
            nextChainKey = try KeySchedule.nextMessageKey(chainKey: chainKey) {
                (key: UnsafeRawBufferPointer, nonce: UnsafeRawBufferPointer) throws(CryptoError) in
                plaintext = try open(message, key: key, nonce: nonce)
            }
        } catch {
            throw .crypto(error)
        }
        return (plaintext, nextChainKey)
    }

    /// Opens `message` with a stored message-key seed.
    private func open(_ message: RatchetMessage, seed: SymmetricKey) throws(ProtocolError) -> [UInt8] {
        do throws(CryptoError) {
            let keys = try KeySchedule.messageKeys(seed: seed)
            var plaintext: [UInt8] = []
            try keys.key.secureBytes.withUnsafeBytes { (key: UnsafeRawBufferPointer) throws(CryptoError) in
                try keys.nonce.rawRepresentation.withContiguousBytes { (nonce: UnsafeRawBufferPointer) throws(CryptoError) in
                    plaintext = try open(message, key: key, nonce: nonce)
                }
            }
            return plaintext
        } catch {
            throw .crypto(error)
        }
    }

    /// ChaCha20-Poly1305 seal of `plaintext` with AD = `associatedData ‖ header`, as one
    /// `ciphertext ‖ tag` array (the associated data is passed in two parts, never concatenated).
    private func seal(
        _ plaintext: some Collection<UInt8>, key: UnsafeRawBufferPointer, nonce: UnsafeRawBufferPointer,
        header: MessageHeader
    ) throws(CryptoError) -> [UInt8] {
        let count = plaintext.count
        var failure: CryptoError?
        let sealed = [UInt8](unsafeUninitializedCapacity: count + AEADSealedBox.tagByteCount) { buffer, initialized in
            initialized = 0
            let output = UnsafeMutableRawBufferPointer(buffer)
            header.withEncodedBytes { (headerBytes: UnsafeRawBufferPointer) in
                associatedData.withUnsafeBytes { (ad: UnsafeRawBufferPointer) in
                    plaintext.readContiguousBytes { (message: UnsafeRawBufferPointer) in
                        do throws(CryptoError) {
                            try AEADCipher.chaCha20Poly1305.seal(
                                key: key, nonce: nonce, aad: ad, headerBytes, message: message,
                                into: UnsafeMutableRawBufferPointer(rebasing: output[0..<count]),
                                tagInto: UnsafeMutableRawBufferPointer(rebasing: output[count...]))
                            initialized = output.count
                        } catch {
                            failure = error
                        }
                    }
                }
            }
        }
        if let failure { throw failure }
        return sealed
    }

    /// ChaCha20-Poly1305 open of `message.sealed` (ciphertext ‖ tag) with AD =
    /// `associatedData ‖ header`.
    private func open(
        _ message: RatchetMessage, key: UnsafeRawBufferPointer, nonce: UnsafeRawBufferPointer
    ) throws(CryptoError) -> [UInt8] {
        let sealedCount = message.sealed.count
        guard sealedCount >= AEADSealedBox.tagByteCount else { throw .authenticationFailure }
        let tagStart = sealedCount - AEADSealedBox.tagByteCount
        var plaintext: [UInt8] = []
        var failure: CryptoError?
        message.header.withEncodedBytes { (headerBytes: UnsafeRawBufferPointer) in
            associatedData.withUnsafeBytes { (ad: UnsafeRawBufferPointer) in
                message.sealed.withUnsafeBytes { (sealed: UnsafeRawBufferPointer) in
                    do throws(CryptoError) {
                        plaintext = try AEADCipher.chaCha20Poly1305.open(
                            key: key, nonce: nonce, aad: ad, headerBytes,
                            ciphertext: UnsafeRawBufferPointer(rebasing: sealed[0..<tagStart]),
                            tag: UnsafeRawBufferPointer(rebasing: sealed[tagStart...]))
                    } catch {
                        failure = error
                    }
                }
            }
        }
        if let failure { throw failure }
        return plaintext
    }

    /// Stores the seeds of the receiving chain's messages up to (not including) `until`.
    private mutating func skipMessageKeys(until: UInt32) throws(ProtocolError) {
        guard var chainKey = receivingChainKey, let remote = receivingRatchetKey else { return }
        guard until >= receiveCount else { return }
        let jump = until - receiveCount
        guard jump <= Self.maximumForwardJump else { throw .tooFarAhead(requested: jump, limit: Self.maximumForwardJump) }
        // Only the last `maximumKeysPerChain` could be kept anyway: skip the older ones without storing.
        let firstStored = until > UInt32(SkippedMessageKeys.maximumKeysPerChain) ? until - UInt32(SkippedMessageKeys.maximumKeysPerChain) : 0
        let remoteKey = remote.rawRepresentation
        while receiveCount < until {
            let step = try crypto { () throws(CryptoError) in try KeySchedule.chainStep(chainKey) }
            if receiveCount >= firstStored {
                skipped.insert(step.messageKeySeed, ratchetKey: remoteKey, number: receiveCount)
            }
            chainKey = step.nextChainKey
            receiveCount += 1
        }
        receivingChainKey = chainKey
    }

    /// The DH ratchet step on a new remote ratchet key.
    private mutating func ratchet(to remote: Curve25519.KeyAgreement.PublicKey, random: any RandomSource) throws(ProtocolError) {
        try crypto { () throws(CryptoError) in
            previousSendCount = sendCount
            sendCount = 0
            receiveCount = 0
            receivingRatchetKey = remote
            let receiving = try KeySchedule.rootStep(
                rootKey: rootKey, dhOutput: try sendingRatchetKey.sharedSecretFromKeyAgreement(with: remote).secureBytes)
            receivingChainKey = receiving.chainKey
            let newKey = try Curve25519.KeyAgreement.PrivateKey(using: random)
            let sending = try KeySchedule.rootStep(
                rootKey: receiving.rootKey, dhOutput: try newKey.sharedSecretFromKeyAgreement(with: remote).secureBytes)
            sendingRatchetKey = newKey
            rootKey = sending.rootKey
            sendingChainKey = sending.chainKey
        }
        // Every DH ratchet step opens a receiving chain; the 5 newest keep their skipped keys.
        skipped.openChain(ratchetKey: remote.rawRepresentation)
    }
}
