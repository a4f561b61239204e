import CloudAPI
import Foundation
import Transport

/// A business of the `vigil cloudapi` child: its number, Graph id and access token.
struct CloudAPIChildBusiness: Sendable {
    let phone: PhoneNumber
    let phoneNumberID: String
    let accessToken: String
}

/// A `vigil cloudapi` child process for `vigil bench hostile`, connected to a `vigil serve`
/// child's relay: its businesses are created in `directory/cloudapi` (as `vigil business add`
/// does, without webhooks) before it starts, its Graph API on an ephemeral 127.0.0.1 port.
final class CloudAPIChild {
    /// The Graph API's address.
    let apiAddress: SocketAddress
    /// The businesses, in the order given.
    let businesses: [CloudAPIChildBusiness]
    /// The process (pid, peak RSS, CPU, log, stop).
    let process: ChildProcess

    /// Creates `phones` as businesses and starts the endpoint against `relay`, allowing each
    /// `sendsPerSecond` send requests a second.
    init(directory: String, relay: SocketAddress, phones: [PhoneNumber], sendsPerSecond: Int, timeout: Duration = .seconds(30)) throws(CLIError) {
        let data = directory + "/cloudapi"
        var created: [CloudAPIChildBusiness] = []
        do {
            try BusinessCommand.ensureDirectory(data)
            let masterKey = try MasterKey.loadOrCreate(path: data + "/master.key")
            let registry = try BusinessRegistry(directory: data, masterKey: masterKey)
            defer { registry.close() }
            for phone in phones {
                let (account, token, _) = try registry.add(
                    phone: phone, name: "Hostile \(phone.digits % 10_000)", webhookURL: nil, verifyToken: nil,
                    appSecret: "bench-app-secret", region: .na, localStorageDirectory: nil, now: Int64(Date().timeIntervalSince1970 * 1000))
                created.append(CloudAPIChildBusiness(phone: phone, phoneNumberID: account.phoneNumberID, accessToken: token))
            }
        } catch {
            throw CLIError("bench: cannot create the Cloud API businesses: \(error)")
        }
        businesses = created
        process = try ChildProcess(
            name: "vigil cloudapi",
            arguments: ["cloudapi", "--relay", "\(relay)", "--data", data, "--listen", "127.0.0.1:0", "--status-interval", "0",
                        "--sends-per-second", String(sendsPerSecond)],
            logPath: directory + "/cloudapi.log", lines: 1, timeout: timeout)
        apiAddress = try process.address(line: 0, prefix: "listening on ")
    }
}
