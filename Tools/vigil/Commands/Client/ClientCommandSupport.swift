import Client
import Glibc
import Transport

/// What `vigil send` and `vigil listen` share: the relay, state-file and number options, and
/// opening (or, on first use, registering) the phone.
struct PhoneOptions {
    let relay: SocketAddress
    let stateFile: StateFile
    let phone: PhoneNumber
    let device: DeviceID
    let preKeyCount: Int
    let requestTimeout: Duration

    /// Parses `--relay`, `--state`, the number option `phoneOption`, `--device`, `--prekeys` and
    /// `--request-timeout`.
    init(parsing arguments: inout Arguments, phoneOption: String) throws(CLIError) {
        guard let relayText = try arguments.option("--relay") else { throw CLIError("--relay HOST:PORT is required") }
        do { relay = try SocketAddress(parsing: relayText) } catch { throw CLIError("--relay: \(error)") }
        guard let path = try arguments.option("--state") else { throw CLIError("--state FILE is required") }
        stateFile = StateFile(path: path)
        guard let phone = try Self.phone(&arguments, phoneOption) else { throw CLIError("\(phoneOption) +E164 is required") }
        self.phone = phone
        let deviceNumber = try arguments.integer("--device", in: 1...Int(UInt32.max)) ?? 1
        guard let device = DeviceID(rawValue: UInt32(deviceNumber)) else { throw CLIError("--device must be in 1…\(UInt32.max)") }
        self.device = device
        preKeyCount = try arguments.integer("--prekeys", in: 1...100) ?? 20
        requestTimeout = try Self.seconds(&arguments, "--request-timeout") ?? .seconds(5)
    }

    /// A number option, e.g. `--to +14155550100`.
    static func phone(_ arguments: inout Arguments, _ name: String) throws(CLIError) -> PhoneNumber? {
        try arguments.option(name, as: "an E.164 number such as +14155550100", { PhoneNumber($0) })
    }

    /// A positive number of seconds.
    static func seconds(_ arguments: inout Arguments, _ name: String) throws(CLIError) -> Duration? {
        guard let value = try arguments.double(name) else { return nil }
        guard value > 0, value <= 86_400 else { throw CLIError("\(name) must be in (0, 86400] seconds, got \(value)") }
        return .milliseconds(Int64((value * 1000).rounded(.up)))
    }

    /// The phone from the state file — connected, its pending sends re-sent — or, when the file
    /// does not exist yet, a new registration (which publishes prekey bundles).
    func openOrRegister() throws -> Phone {
        let options = Phone.Options(requestTimeout: requestTimeout, preKeyBundleCount: preKeyCount)
        guard stateFile.exists else {
            let phone = try Phone.register(phone: phone, device: device, relay: relay, stateFile: stateFile, options: options)
            Console.progress("registered \(phone.phone) (\(device)); keys and sessions in \(stateFile.path) (mode 0600)")
            return phone
        }
        let opened = try Phone.open(stateFile: stateFile, relay: relay, options: options)
        guard opened.phone == phone else {
            throw CLIError("\(stateFile.path) holds the state of \(opened.phone), not \(phone)")
        }
        for outcome in try opened.connect() {
            switch outcome {
            case let .accepted(sent):
                Console.progress("re-sent pending message \(sent.clientMessageID) to \(sent.recipient): envelope \(sent.envelopeID)")
            case let .dropped(pending, error):
                Console.progress("dropped pending message \(pending.clientMessageID) to \(pending.recipient): \(error)")
            }
        }
        return opened
    }
}

/// Standard output written with `write(2)` line by line, so each line reaches a pipe at once.
enum StandardOutput {
    /// Writes `line` and a newline.
    static func writeLine(_ line: String) {
        let bytes = Array((line + "\n").utf8)
        var offset = 0
        while offset < bytes.count {
            let written = bytes[offset...].withUnsafeBytes { Glibc.write(1, $0.baseAddress, $0.count) }
            if written < 0, errno == EINTR { continue }
            if written <= 0 { return }
            offset += written
        }
    }
}
