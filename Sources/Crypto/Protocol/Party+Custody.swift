/// Splitting a party for custody: a server that speaks for many numbers with thousands of
/// conversations each stores the party's keys (identity and prekeys, which change rarely) apart
/// from each conversation (which changes with every message), so one message rewrites one record.
extension Party {
    /// The identity and prekeys only, serialized as a party without conversations (see
    /// `Party+Codec.swift`). Holds private keys: store it encrypted.
    public func serializedKeys() -> SecureBytes {
        Party(identity: identity, preKeys: preKeys, conversations: [:], random: random).serialized()
    }

    /// A party from keys written by ``serializedKeys()`` and conversations stored separately.
    public init(keys: some Collection<UInt8>, conversations: [String: Conversation], random: any RandomSource = SystemRandom()) throws(ProtocolError) {
        let keysOnly = try Party(serialized: keys, random: random)
        self.init(identity: keysOnly.identity, preKeys: keysOnly.preKeys, conversations: conversations, random: random)
    }
}
