/// Why a protocol step failed. A failed step never changes the session it was applied to.
public enum ProtocolError: Error, Sendable, Hashable, CustomStringConvertible {
    /// A primitive failed (bad key, authentication failure, library error …).
    case crypto(CryptoError)
    /// Bytes that do not decode as the named structure.
    case malformed(String, reason: String)
    /// A structure with a version this implementation does not speak.
    case unsupportedVersion(String, found: UInt8)
    /// A prekey bundle whose signed-prekey signature does not verify.
    case invalidSignedPreKeySignature
    /// The message's key was already used (a replay) or evicted from the skipped-key store.
    case duplicateOrExpiredMessage(messageNumber: UInt32)
    /// The message is further ahead of its chain than the protocol allows.
    case tooFarAhead(requested: UInt32, limit: UInt32)
    /// The session has no sending chain yet (a responder must receive before it sends).
    case cannotSendYet
    /// A prekey message names prekeys this party does not hold (used up or never published).
    case unknownPreKey(signedPreKeyID: UInt32, oneTimePreKeyID: UInt32?)
    /// A sending or receiving counter would overflow.
    case counterExhausted

    /// One line that says what went wrong.
    public var description: String {
        switch self {
        case let .crypto(error): "\(error)"
        case let .malformed(what, reason): "malformed \(what): \(reason)"
        case let .unsupportedVersion(what, found): "unsupported \(what) version \(found)"
        case .invalidSignedPreKeySignature: "the bundle's signed-prekey signature does not verify"
        case let .duplicateOrExpiredMessage(n): "message \(n) was already received or its key has expired"
        case let .tooFarAhead(requested, limit): "message skips \(requested) keys, more than the limit of \(limit)"
        case .cannotSendYet: "the session cannot send before it has received a message"
        case let .unknownPreKey(signed, oneTime):
            "unknown prekeys (signed \(signed), one-time \(oneTime.map(String.init) ?? "none"))"
        case .counterExhausted: "message counter exhausted"
        }
    }
}

/// Runs a primitive, turning its error into `ProtocolError.crypto`.
@inline(never)
func crypto<T>(_ body: () throws(CryptoError) -> T) throws(ProtocolError) -> T {
    do {
        return try body()
    } catch {
        throw .crypto(error)
    }
}
