import CloudAPI
import Glibc
import Storage
import Transport

/// `vigil business add|list`: manages the businesses the Cloud API endpoint speaks for.
struct BusinessCommand: Command {
    /// `vigil business add …`.
    static func add(_ arguments: [String]) -> Int32 { main(["add"] + arguments) }
    /// `vigil business list …`.
    static func list(_ arguments: [String]) -> Int32 { main(["list"] + arguments) }

    static let help = """
        USAGE: vigil business add --data DIR --phone +E164 --app-secret S [options]
               vigil business list --data DIR [--master-key-file FILE]

        `add` creates a business: its phone-number id, WhatsApp Business Account id, identity keys
        (kept encrypted under the master key) and an access token, printed once as JSON:
          {"phone_number_id":"…","waba_id":"…","access_token":"EAAV…","phone":"+…"}
        A running `vigil cloudapi` on the same DIR picks it up within seconds.

        OPTIONS (add):
          --phone +E164              the business's number
          --name NAME                verified name shown to users (default: the number)
          --webhook URL              http:// URL receiving message and status webhooks
          --verify-token T           echoed by the webhook's GET verification (required with --webhook)
          --app-secret S             signs webhooks (X-Hub-Signature-256)
          --region na|eu             data region of its message records (default na)
          --local-storage DIR        keep its records in DIR instead (must exist)
          --data DIR                 the endpoint's data directory
          --master-key-file FILE     default DIR/master.key (created 0600 if missing)
          --help                     this text
        """

    enum Action { case add, list }

    let action: Action
    let dataDirectory: String
    let masterKeyFile: String
    let phone: PhoneNumber?
    let name: String?
    let webhook: String?
    let verifyToken: String?
    let appSecret: String?
    let region: StorageRegion
    let localStorage: String?

    init(parsing arguments: inout Arguments) throws(CLIError) {
        action = arguments.flag("add") ? .add : .list
        _ = arguments.flag("list")
        guard let data = try arguments.option("--data") else { throw CLIError("--data DIR is required") }
        dataDirectory = data
        masterKeyFile = try arguments.option("--master-key-file") ?? data + "/master.key"
        phone = try arguments.option("--phone", as: "an E.164 number like +14155550100") { PhoneNumber($0) }
        name = try arguments.option("--name")
        webhook = try arguments.option("--webhook")
        verifyToken = try arguments.option("--verify-token")
        appSecret = try arguments.option("--app-secret")
        region = try arguments.option("--region", as: "na or eu") { StorageRegion(rawValue: $0) } ?? .na
        localStorage = try arguments.option("--local-storage")
        guard action == .add else { return }
        guard phone != nil else { throw CLIError("--phone +E164 is required") }
        guard let appSecret, !appSecret.isEmpty else { throw CLIError("--app-secret is required") }
        if let webhook {
            guard webhook.hasPrefix("http://") else { throw CLIError("--webhook must be an http:// URL, got '\(webhook)'") }
            guard verifyToken?.isEmpty == false else { throw CLIError("--webhook needs --verify-token") }
        }
    }

    func run() throws {
        try Self.ensureDirectory(dataDirectory)
        let masterKey = try MasterKey.loadOrCreate(path: masterKeyFile)
        let registry = try BusinessRegistry(directory: dataDirectory, masterKey: masterKey)
        defer { registry.close() }
        switch action {
        case .list:
            for account in try registry.accounts() {
                var object = JSONObject()
                object.set("phone_number_id", account.phoneNumberID)
                object.set("waba_id", account.accountID)
                object.set("phone", account.phone.e164)
                object.set("name", account.name)
                object.set("region", account.region.rawValue)
                object.set("webhook", account.webhookURL ?? "")
                object.set("webhook_verified", account.webhookVerified)
                object.set("quality_rating", account.qualityRating)
                object.set("messaging_limit", account.messagingLimit)
                print(object.text)
            }
        case .add:
            guard let phone, let appSecret else { return }
            if let localStorage {
                var info = stat()
                guard stat(localStorage, &info) == 0, info.st_mode & S_IFMT == S_IFDIR else {
                    throw CLIError("--local-storage \(localStorage) is not an existing directory")
                }
            }
            let (account, token, _) = try registry.add(
                phone: phone, name: name ?? phone.e164, webhookURL: webhook, verifyToken: verifyToken, appSecret: appSecret,
                region: region, localStorageDirectory: localStorage, now: Int64(time(nil)) * 1000)
            var object = JSONObject()
            object.set("phone_number_id", account.phoneNumberID)
            object.set("waba_id", account.accountID)
            object.set("access_token", token)
            object.set("phone", phone.e164)
            print(object.text)
        }
    }

    /// Creates `path` (and parents) with mode 0700 if missing.
    static func ensureDirectory(_ path: String) throws {
        do throws(StorageError) {
            try FileSystem.createDirectories(path)
        } catch {
            throw CLIError("cannot create \(path): \(error)")
        }
    }
}
