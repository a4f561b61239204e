import Foundation
import Glibc
import Testing

/// Least privilege, from outside the processes: tokens at rest are digests (the relay's in
/// `relay.sqlite`, the admin token in `token.sha256`, the Cloud API's access tokens in its
/// registry), secret files others can read are refused at start-up, listeners default to
/// 127.0.0.1, and no secret reaches a log.
@Suite("least privilege (processes)", .timeLimit(.minutes(2)))
struct LeastPrivilegeProcessTests {
    /// SHA-256 of `bytes` by coreutils' `sha256sum` (this target links no Vigil module).
    static func sha256(_ bytes: [UInt8], in work: URL) throws -> [UInt8] {
        let file = work.appendingPathComponent("digest-input-\(UUID().uuidString)")
        try Data(bytes).write(to: file)
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/sha256sum")
        process.arguments = [file.path]
        let output = Pipe()
        process.standardOutput = output
        try process.run()
        let text = String(decoding: output.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        let hex = Array(text.prefix(64).utf8)
        return stride(from: 0, to: hex.count, by: 2).compactMap { UInt8(String(decoding: hex[$0..<$0 + 2], as: UTF8.self), radix: 16) }
    }

    static func hex(_ bytes: [UInt8]) -> String { bytes.map { String(format: "%02x", $0) }.joined() }

    /// Every regular file under `directory`, as bytes.
    static func files(under directory: String) -> [(path: String, bytes: [UInt8])] {
        let enumerator = FileManager.default.enumerator(atPath: directory)
        var files: [(String, [UInt8])] = []
        while let name = enumerator?.nextObject() as? String {
            let path = directory + "/" + name
            var isDirectory: ObjCBool = false
            guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory), !isDirectory.boolValue,
                  let data = FileManager.default.contents(atPath: path) else { continue }
            files.append((path, [UInt8](data)))
        }
        return files
    }

    static func contains(_ haystack: [UInt8], _ needle: [UInt8]) -> Bool {
        ProcessMemory.contains([haystack], needle)
    }

    @Test func theRelayStoresTheSHA256OfEachTokenNeverTheToken() throws {
        let work = try VigilProcess.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: work) }
        let data = work.appendingPathComponent("relay").path
        let relay = try RelayProcess(dataDirectory: data, in: work, extraArguments: ["--listen", "0"])
        let phone = "+15550300001"
        let token = try WireClient(port: relay.port).register(phone)
        relay.send(SIGTERM)
        #expect(relay.waitForExit(timeout: .seconds(10)) && relay.process.terminationStatus == 0)
        // A bare port binds the loopback interface.
        #expect(relay.standardOutput.hasPrefix("listening on 127.0.0.1:"), "\(relay.standardOutput)")

        let digest = try Self.sha256(token, in: work)
        #expect(digest.count == 32 && digest != token)
        let stored = Self.files(under: data)
        #expect(stored.contains { $0.path.hasSuffix("/relay.sqlite") })
        #expect(stored.allSatisfy { !Self.contains($0.bytes, token) }, "no file under the data directory holds the token")
        #expect(stored.contains { Self.contains($0.bytes, digest) }, "relay.sqlite holds its SHA-256")

        // After a restart the device logs in with its token; a wrong one is refused.
        let again = try RelayProcess(dataDirectory: data, in: work)
        defer { again.send(SIGTERM); _ = again.waitForExit(timeout: .seconds(10)) }
        #expect(try WireClient(port: again.port).hello(phone, token: token).type == WireFrame.welcome)
        var wrong = token
        wrong[5] ^= 0x01
        let refused = try WireClient(port: again.port).hello(phone, token: wrong)
        #expect(refused.type == WireFrame.error && refused.errorCode == 302, "\(refused)")
        #expect(!again.standardError.contains(Self.hex(token)) && !relay.standardError.contains(Self.hex(token)))
    }

    @Test func serveReadsTheAdminTokenFromAPrivateFileAndKeepsOnlyItsDigest() throws {
        let work = try VigilProcess.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: work) }
        let data = work.appendingPathComponent("data").path
        let tokenFile = work.appendingPathComponent("admin-token").path

        // A token file others can read is refused, with the mode and the fix.
        try "0123456789abcdef-operator-token\n".write(toFile: tokenFile, atomically: false, encoding: .utf8)
        try FileManager.default.setAttributes([.posixPermissions: 0o644], ofItemAtPath: tokenFile)
        let refused = try VigilProcess.run(["serve", "--listen", "127.0.0.1:0", "--http", "127.0.0.1:0", "--data", data,
                                            "--token-file", tokenFile])
        #expect(refused.status != 0)
        #expect(refused.standardError.contains("--token-file \(tokenFile) is not private: mode 644")
            && refused.standardError.contains("chmod 600 \(tokenFile)"), "\(refused.standardError)")

        // Missing: created 0600 with a fresh token, which then works; no token on stdout.
        try FileManager.default.removeItem(atPath: tokenFile)
        let serve = try RelayProcess(dataDirectory: data, in: work, extraArguments: ["--token-file", tokenFile, "--http", ":0"], serve: true)
        let port = try #require(serve.httpPort)
        let mode = try FileManager.default.attributesOfItem(atPath: tokenFile)[.posixPermissions] as? Int
        #expect(mode == 0o600)
        let token = try String(contentsOfFile: tokenFile, encoding: .utf8).trimmingCharacters(in: .whitespacesAndNewlines)
        #expect(token.count == 64)
        #expect(serve.standardOutput.split(separator: "\n").count == 2, "\(serve.standardOutput)")
        let stored = try String(contentsOfFile: data + "/integrity/token.sha256", encoding: .utf8)
        #expect(stored == Self.hex(try Self.sha256(Array(token.utf8), in: work)) + "\n")
        #expect(try HTTPProbe.get(port: port, path: "/metrics", token: token).status == 200)
        // One character changed (never to itself: a token ending in "0" made this pass 1 run in 16).
        let wrong = String(token.dropLast()) + (token.hasSuffix("0") ? "1" : "0")
        #expect(try HTTPProbe.get(port: port, path: "/metrics", token: wrong).status == 401)
        serve.send(SIGTERM)
        #expect(serve.waitForExit(timeout: .seconds(10)))
        #expect(!serve.standardError.contains(token))
        // No file in the data directory holds the token.
        #expect(Self.files(under: data).allSatisfy { !Self.contains($0.bytes, Array(token.utf8)) })
    }

    @Test func theCloudAPIRefusesALooseDataDirectoryOrKeyFileNamingThePathAndTheFix() throws {
        let work = try VigilProcess.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: work) }
        let data = work.appendingPathComponent("cloud").path
        // A day file three levels down that others can read.
        try FileManager.default.createDirectory(atPath: data + "/regions/eu/days", withIntermediateDirectories: true,
                                                attributes: [.posixPermissions: 0o700])
        for directory in [data, data + "/regions", data + "/regions/eu", data + "/regions/eu/days"] {
            try FileManager.default.setAttributes([.posixPermissions: 0o700], ofItemAtPath: directory)
        }
        _ = FileManager.default.createFile(atPath: data + "/regions/eu/days/2026-01-01.sqlite", contents: Data([1]),
                                       attributes: [.posixPermissions: 0o644])
        let base = ["cloudapi", "--relay", "127.0.0.1:9", "--listen", "127.0.0.1:0", "--data", data]
        let day = try VigilProcess.run(base)
        #expect(day.status != 0)
        #expect(day.standardError.contains("\(data) is not private: regions/eu/days/2026-01-01.sqlite (644)")
            && day.standardError.contains("chmod -R go-rwx \(data)"), "\(day.standardError)")

        try FileManager.default.setAttributes([.posixPermissions: 0o600], ofItemAtPath: data + "/regions/eu/days/2026-01-01.sqlite")
        let key = work.appendingPathComponent("master.key").path
        _ = FileManager.default.createFile(atPath: key, contents: Data(repeating: 7, count: 32), attributes: [.posixPermissions: 0o640])
        let loose = try VigilProcess.run(base + ["--master-key-file", key])
        #expect(loose.status != 0)
        #expect(loose.standardError.contains("--master-key-file \(key) is not private: mode 640")
            && loose.standardError.contains("chmod 600 \(key)"), "\(loose.standardError)")
    }

    @Test func theCloudAPIStoresAccessTokensHashedAndLogsNoSecret() throws {
        let work = try VigilProcess.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: work) }
        let relay = try RelayProcess(dataDirectory: work.appendingPathComponent("relay").path, in: work)
        defer { relay.send(SIGTERM); _ = relay.waitForExit(timeout: .seconds(10)) }
        let data = work.appendingPathComponent("cloud").path
        let appSecret = "app-secret-\(UUID().uuidString)"
        let verifyToken = "verify-\(UUID().uuidString)"
        let added = try VigilProcess.run(["business", "add", "--data", data, "--phone", "+15550400001", "--app-secret", appSecret,
                                          "--webhook", "http://127.0.0.1:9/hook", "--verify-token", verifyToken])
        #expect(added.status == 0, "\(added.standardError)")
        let created = try #require(try JSONSerialization.jsonObject(with: Data(added.standardOutput.utf8)) as? [String: Any])
        let accessToken = try #require(created["access_token"] as? String)
        let phoneNumberID = try #require(created["phone_number_id"] as? String)

        let cloud = try CloudAPIProcess(relayPort: relay.port, dataDirectory: data, in: work)
        defer { cloud.stop() }
        #expect(cloud.address.hasPrefix("127.0.0.1:"), "a bare port binds the loopback interface: \(cloud.address)")
        #expect(try HTTPProbe.get(port: cloud.port, path: "/v21.0/\(phoneNumberID)", token: accessToken).status == 200)
        #expect(try HTTPProbe.get(port: cloud.port, path: "/v21.0/\(phoneNumberID)", token: accessToken + "x").status == 401)
        #expect(try HTTPProbe.get(port: cloud.port, path: "/v21.0/\(phoneNumberID)").status == 401)
        cloud.stop()

        let secrets = [accessToken, appSecret, verifyToken]
        for (name, log) in [("business add", added.standardError), ("cloudapi", cloud.standardError), ("relay", relay.standardError)] {
            for secret in secrets { #expect(!log.contains(secret), "\(name)'s log holds a secret") }
        }
        #expect(!cloud.standardError.isEmpty)
        // The registry keeps the access token's hash, not the token.
        let files = Self.files(under: data)
        #expect(!files.isEmpty)
        #expect(files.allSatisfy { !Self.contains($0.bytes, Array(accessToken.utf8)) }, "no file holds the access token")
    }

    @Test func httpEchoWithoutListenBindsTheLoopbackInterface() throws {
        let work = try VigilProcess.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: work) }
        let out = work.appendingPathComponent("echo.out").path
        _ = FileManager.default.createFile(atPath: out, contents: nil)
        let process = Process()
        process.executableURL = VigilProcess.binary
        process.arguments = ["http-echo"]
        process.standardOutput = try FileHandle(forWritingTo: URL(fileURLWithPath: out))
        process.standardError = FileHandle.nullDevice
        try process.run()
        defer { process.terminate(); process.waitUntilExit() }
        let deadline = ContinuousClock.now + .seconds(10)
        var line = ""
        while line.isEmpty, ContinuousClock.now < deadline, process.isRunning {
            line = ((try? String(contentsOfFile: out, encoding: .utf8)) ?? "").split(separator: "\n").first.map(String.init) ?? ""
            usleep(5_000)
        }
        #expect(line.hasPrefix("listening on 127.0.0.1:"), "\(line)")
    }
}

/// `vigil cloudapi --listen 0` as a process, stopped with SIGTERM.
final class CloudAPIProcess {
    let process = Process()
    let address: String
    let port: UInt16
    private let errorPath: String

    init(relayPort: UInt16, dataDirectory: String, in work: URL) throws {
        let out = work.appendingPathComponent("cloudapi.out").path
        errorPath = work.appendingPathComponent("cloudapi.err").path
        _ = FileManager.default.createFile(atPath: out, contents: nil)
        _ = FileManager.default.createFile(atPath: errorPath, contents: nil)
        process.executableURL = VigilProcess.binary
        process.arguments = ["cloudapi", "--relay", "127.0.0.1:\(relayPort)", "--listen", "0", "--data", dataDirectory, "--status-interval", "1"]
        process.standardInput = FileHandle.nullDevice
        process.standardOutput = try FileHandle(forWritingTo: URL(fileURLWithPath: out))
        process.standardError = try FileHandle(forWritingTo: URL(fileURLWithPath: errorPath))
        try process.run()
        let deadline = ContinuousClock.now + .seconds(15)
        while true {
            let first = ((try? String(contentsOfFile: out, encoding: .utf8)) ?? "").split(separator: "\n").first.map(String.init) ?? ""
            if first.hasPrefix("listening on "), let port = first.split(separator: ":").last.flatMap({ UInt16($0) }) {
                address = String(first.dropFirst(13))
                self.port = port
                return
            }
            if !process.isRunning || ContinuousClock.now > deadline {
                if process.isRunning { kill(process.processIdentifier, SIGKILL) }
                throw RelayProcessFailure("cloudapi did not start: \((try? String(contentsOfFile: errorPath, encoding: .utf8)) ?? "")")
            }
            usleep(5_000)
        }
    }

    var standardError: String { (try? String(contentsOfFile: errorPath, encoding: .utf8)) ?? "" }

    func stop() {
        guard process.isRunning else { return }
        kill(process.processIdentifier, SIGTERM)
        let deadline = ContinuousClock.now + .seconds(10)
        while process.isRunning, ContinuousClock.now < deadline { usleep(10_000) }
        if process.isRunning { kill(process.processIdentifier, SIGKILL) }
        process.waitUntilExit()
    }

    deinit { stop() }
}
