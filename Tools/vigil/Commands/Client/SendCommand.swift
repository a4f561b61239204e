import Client
import Transport

/// `vigil send`: one end-to-end encrypted message through the relay.
struct SendCommand: Command {
    static let help = """
        USAGE: vigil send --relay HOST:PORT --state FILE --from +E164 --to +E164 [options] TEXT…

        Encrypts TEXT (the words joined by spaces) for --to, sends it through the relay, waits
        until the relay accepts it and prints its envelope id (32 hex digits).

        On first use — FILE does not exist — registers --from with the relay as a new installation,
        writes FILE and publishes prekey bundles. FILE holds this phone's private keys and sessions:
        it is created with mode 0600 and refused if others can read it. Later runs reuse it, and
        first re-send, with their original ids, messages an earlier run could not complete (the
        relay accepts each only once).

        OPTIONS:
          --relay HOST:PORT        the relay (numeric IPv4, or [IPv6]:PORT)
          --state FILE             this phone's state file
          --from +E164             this phone's number (must match FILE)
          --to +E164               the recipient
          --business CATEGORY      send as a business message: marketing, utility, authentication or service
          --device N               installation id when registering (default 1)
          --prekeys N              prekey bundles published when registering, 1…100 (default 20)
          --request-timeout S      seconds to wait for each relay reply (default 5)
        """

    let phone: PhoneOptions
    let recipient: PhoneNumber
    let kind: EnvelopeKind
    let text: String

    init(parsing arguments: inout Arguments) throws(CLIError) {
        phone = try PhoneOptions(parsing: &arguments, phoneOption: "--from")
        guard let recipient = try PhoneOptions.phone(&arguments, "--to") else { throw CLIError("--to +E164 is required") }
        self.recipient = recipient
        if let category = try arguments.option("--business") {
            guard let value = MessageCategory.allCases.first(where: { $0.description == category }) else {
                throw CLIError("--business takes marketing, utility, authentication or service, got '\(category)'")
            }
            kind = .business(value)
        } else {
            kind = .user
        }
        let words = try arguments.positionals()
        guard !words.isEmpty else { throw CLIError("no message TEXT given") }
        text = words.joined(separator: " ")
        guard !text.isEmpty else { throw CLIError("the message TEXT is empty") }
    }

    func run() throws {
        let device = try phone.openOrRegister()
        defer { device.close() }
        let sent = try device.send(text: text, to: recipient, kind: kind)
        StandardOutput.writeLine(sent.envelopeID.description)
    }
}
