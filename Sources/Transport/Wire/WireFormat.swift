/// The constants of the relay's wire protocol, version 1 (docs/wire.md).
public enum WireFormat {
    /// The only protocol version this implementation speaks.
    public static let version: UInt8 = 1

    /// Bytes of the length prefix that starts every frame.
    public static let lengthPrefixSize = 4

    /// Bytes the length prefix always covers: version, type and request id.
    public static let headerAfterLength = 6

    /// The whole fixed header: length prefix, version, type, request id.
    public static let headerSize = lengthPrefixSize + headerAfterLength

    /// The default maximum frame size (length prefix included): 256 KiB. Every valid v1 frame fits.
    public static let defaultMaximumFrameSize = 256 * 1024

    /// The smallest maximum frame size an endpoint may be configured with.
    public static let minimumConfigurableFrameSize = 1024

    /// The largest maximum frame size an endpoint may be configured with.
    public static let maximumConfigurableFrameSize = 16 * 1024 * 1024

    /// The largest ciphertext a `send` or `deliver` may carry.
    public static let maximumCiphertextLength = 192 * 1024

    /// The largest single prekey bundle.
    public static let maximumBundleLength = 2048

    /// The most bundles one `publish_prekeys` may carry.
    public static let maximumBundleCount = 100

    /// The most envelope ids one `ack` or `receipt` may carry.
    public static let maximumEnvelopeIDCount = 256

    /// The longest `error` text, in UTF-8 bytes.
    public static let maximumErrorTextLength = 512

    /// The longest `notice` text, in UTF-8 bytes.
    public static let maximumNoticeTextLength = 512
}
