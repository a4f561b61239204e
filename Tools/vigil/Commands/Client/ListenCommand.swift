import Client
import Transport

/// `vigil listen`: receive, decrypt and print messages as JSON lines.
struct ListenCommand: Command {
    static let help = """
        USAGE: vigil listen --relay HOST:PORT --state FILE --as +E164 [options]

        Connects as --as and prints every message it receives, decrypted, as one JSON line:
          {"envelope":"<32 hex>","from":"+E164","time":<ms since the epoch>,"text":"…"}
        Receipts for messages this phone sent are printed as
          {"receipt":"delivered|read","from":"+E164","envelopes":["<32 hex>",…]}
        Each message is recorded in FILE before the relay is told to delete it, so a message is
        printed once even across crashes. On first use (no FILE) registers --as like `vigil send`.

        Exits with status 0 after --count messages, or when --timeout seconds have passed without
        --count; with --count, running out of time first is an error (status 1).

        OPTIONS:
          --relay HOST:PORT             the relay (numeric IPv4, or [IPv6]:PORT)
          --state FILE                  this phone's state file (mode 0600: it holds the keys)
          --as +E164                    this phone's number (must match FILE)
          --count N                     stop after N messages
          --timeout S                   stop after S seconds (default 30)
          --receipts read|delivered|none  receipts sent back for each message (default delivered)
          --device N                    installation id when registering (default 1)
          --prekeys N                   prekey bundles published when registering, 1…100 (default 20)
          --request-timeout S           seconds to wait for each relay reply (default 5)
        """

    let phone: PhoneOptions
    let count: Int?
    let timeout: Duration
    let receipts: ReceiptKind?

    init(parsing arguments: inout Arguments) throws(CLIError) {
        phone = try PhoneOptions(parsing: &arguments, phoneOption: "--as")
        count = try arguments.integer("--count", in: 1...Int(Int32.max))
        timeout = try PhoneOptions.seconds(&arguments, "--timeout") ?? .seconds(30)
        switch try arguments.option("--receipts") {
        case nil, "delivered": receipts = .delivered
        case "read": receipts = .read
        case "none": receipts = nil
        case let other?: throw CLIError("--receipts takes read, delivered or none, got '\(other)'")
        }
    }

    func run() throws {
        let device = try phone.openOrRegister()
        defer { device.close() }
        let deadline = ContinuousClock.now + timeout
        var received = 0
        while count.map({ received < $0 }) ?? true {
            let remaining = deadline - ContinuousClock.now
            guard remaining > .zero, let event = try device.receive(timeout: remaining) else { break }
            switch event {
            case let .message(message):
                received += 1
                var line = JSONObject()
                line.set("envelope", message.envelopeID.description)
                line.set("from", message.sender.e164)
                line.set("time", message.serverTimeMilliseconds)
                line.set("text", message.text)
                StandardOutput.writeLine(line.text)
                if let receipts { try device.sendReceipt(receipts, for: message) }
            case let .receipt(receipt):
                StandardOutput.writeLine(
                    "{\"receipt\":\(JSONObject.quote(receipt.kind.description)),\"from\":\(JSONObject.quote(receipt.counterpart.e164)),"
                        + "\"envelopes\":[\(receipt.envelopeIDs.map { JSONObject.quote($0.description) }.joined(separator: ","))]}")
            case let .undecryptable(envelopeID, sender, reason):
                Console.error("envelope \(envelopeID) from \(sender) could not be decrypted: \(reason)")
            case let .relayError(code, message):
                Console.error("the relay reported \(code): \(message)")
            }
        }
        if let count, received < count {
            throw ListenTimeout(received: received, wanted: count, timeout: timeout)
        }
    }
}

/// `--count` messages did not arrive within `--timeout`.
struct ListenTimeout: Error, CustomStringConvertible {
    let received: Int
    let wanted: Int
    let timeout: Duration
    var description: String { "timed out after \(timeout) with \(received) of \(wanted) messages" }
}
