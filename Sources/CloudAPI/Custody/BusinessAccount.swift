public import Transport

/// Where a business's message records are kept (Meta's data regions; see also local storage).
public enum StorageRegion: String, Sendable, Hashable, CaseIterable, CustomStringConvertible {
    /// North America (the default).
    case na
    /// European Union.
    case eu

    /// "na" / "eu".
    public var description: String { rawValue }
}

/// A business the endpoint speaks for: its number and ids, where its webhooks go, its secrets
/// (held encrypted by ``BusinessRegistry``), and the integrity status the transport pushed.
public struct BusinessAccount: Sendable {
    /// Meta's phone-number id (the `{phone-number-id}` in API paths).
    public let phoneNumberID: String
    /// The WhatsApp Business Account id (`entry[].id` in webhooks).
    public let accountID: String
    /// The business's number.
    public let phone: PhoneNumber
    /// The verified name shown to users.
    public var name: String
    /// Where webhooks are POSTed (`http://…`); nil: none configured.
    public var webhookURL: String?
    /// The token the webhook's GET verification must echo (`hub.verify_token`).
    public var verifyToken: String?
    /// The app secret webhooks are signed with (`X-Hub-Signature-256`). Secret.
    public var appSecret: String
    /// SHA-256 of the access token (the token itself is shown once, at creation).
    public let accessTokenHash: [UInt8]
    /// The data region of its records.
    public var region: StorageRegion
    /// A directory that must hold its records instead of the region's (local storage), if any.
    public var localStorageDirectory: String?
    /// The device id the endpoint registers with the relay.
    public var device: DeviceID
    /// The relay's token for this number once registered. Secret.
    public var relayToken: RelayToken?
    /// Whether the webhook's GET verification handshake succeeded.
    public var webhookVerified: Bool
    /// `GREEN` / `YELLOW` / `RED` / `NA`, as pushed by the transport side.
    public var qualityRating: String
    /// `CONNECTED` / `FLAGGED` / `RESTRICTED`.
    public var status: String
    /// `TIER_250`, `TIER_2K`, …
    public var messagingLimit: String

    /// Creates an account record.
    public init(
        phoneNumberID: String, accountID: String, phone: PhoneNumber, name: String, webhookURL: String?, verifyToken: String?,
        appSecret: String, accessTokenHash: [UInt8], region: StorageRegion, localStorageDirectory: String?, device: DeviceID,
        relayToken: RelayToken? = nil, webhookVerified: Bool = false,
        qualityRating: String = "GREEN", status: String = "CONNECTED", messagingLimit: String = "TIER_250"
    ) {
        self.phoneNumberID = phoneNumberID
        self.accountID = accountID
        self.phone = phone
        self.name = name
        self.webhookURL = webhookURL
        self.verifyToken = verifyToken
        self.appSecret = appSecret
        self.accessTokenHash = accessTokenHash
        self.region = region
        self.localStorageDirectory = localStorageDirectory
        self.device = device
        self.relayToken = relayToken
        self.webhookVerified = webhookVerified
        self.qualityRating = qualityRating
        self.status = status
        self.messagingLimit = messagingLimit
    }
}
