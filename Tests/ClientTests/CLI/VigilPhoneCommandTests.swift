import Client
import Foundation
import Testing
import Transport

/// `vigil send` and `vigil listen`: the built binary against an in-process relay.
@Suite(.serialized) struct VigilPhoneCommandTests {
    struct Run {
        let status: Int32
        let output: String
        let error: String
        var lines: [Substring] { output.split(separator: "\n") }
    }

    struct NotBuilt: Error, CustomStringConvertible {
        let path: String
        var description: String { "vigil binary not found at \(path); run `swift build` first" }
    }

    static var binary: URL {
        URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent().appendingPathComponent("vigil")
    }

    static func vigil(_ arguments: [String]) throws -> Run {
        guard FileManager.default.isExecutableFile(atPath: binary.path) else { throw NotBuilt(path: binary.path) }
        let process = Process()
        process.executableURL = binary
        process.arguments = arguments
        let stdout = Pipe(), stderr = Pipe()
        process.standardInput = FileHandle.nullDevice
        process.standardOutput = stdout
        process.standardError = stderr
        try process.run()
        let out = stdout.fileHandleForReading.readDataToEndOfFile()
        let err = stderr.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return Run(status: process.terminationStatus, output: String(decoding: out, as: UTF8.self), error: String(decoding: err, as: UTF8.self))
    }

    static func json(_ line: Substring) throws -> [String: Any] {
        guard let object = try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any] else {
            throw Fixture.BadFixture(description: "not a JSON object: \(line)")
        }
        return object
    }

    @Test func sendAndListenExchangeMessagesAndReceipts() throws {
        let relay = try TestRelay()
        let directory = try Fixture.TemporaryDirectory()
        let address = relay.address.description
        let alice = ["--relay", address, "--state", directory.file("alice.state")]
        let bob = ["--relay", address, "--state", directory.file("bob.state")]

        // Bob's first listen registers him (and publishes prekeys); nothing arrives.
        let first = try Self.vigil(["listen"] + bob + ["--as", "+14155550102", "--timeout", "0.3", "--prekeys", "3"])
        #expect(first.status == 0, "\(first.error)")
        #expect(first.output.isEmpty)
        #expect(first.error.contains("registered +14155550102"))
        let mode = try FileManager.default.attributesOfItem(atPath: directory.file("bob.state"))[.posixPermissions] as? Int
        #expect(mode == 0o600)

        // Alice registers on her first send; each send prints the envelope id.
        let sendOne = try Self.vigil(["send"] + alice + ["--from", "+14155550101", "--to", "+14155550102", "hello", "world"])
        #expect(sendOne.status == 0, "\(sendOne.error)")
        let idOne = sendOne.output.trimmingCharacters(in: .newlines)
        #expect(idOne.count == 32 && idOne.allSatisfy(\.isHexDigit), "\(idOne)")
        let sendTwo = try Self.vigil(["send"] + alice + ["--from", "+14155550101", "--to", "+14155550102", "--business", "utility", "Ünïcode \"quoted\""])
        #expect(sendTwo.status == 0, "\(sendTwo.error)")
        let idTwo = sendTwo.output.trimmingCharacters(in: .newlines)
        #expect(idTwo != idOne)

        // Bob's listen prints both, in order, as JSON lines, and sends read receipts.
        let listen = try Self.vigil(["listen"] + bob + ["--as", "+14155550102", "--count", "2", "--timeout", "5", "--receipts", "read"])
        #expect(listen.status == 0, "\(listen.error)")
        #expect(listen.lines.count == 2)
        let messages = try listen.lines.map(Self.json)
        #expect(messages.map { $0["envelope"] as? String } == [idOne, idTwo])
        #expect(messages.map { $0["from"] as? String } == ["+14155550101", "+14155550101"])
        #expect(messages.map { $0["text"] as? String } == ["hello world", "Ünïcode \"quoted\""])
        #expect(messages.allSatisfy { ($0["time"] as? Int ?? 0) > 1_600_000_000_000 })
        #expect(listen.lines.first?.hasPrefix("{\"envelope\":") == true)

        // Nothing again for Bob: both were recorded and acknowledged.
        let again = try Self.vigil(["listen"] + bob + ["--as", "+14155550102", "--timeout", "0.3"])
        #expect(again.status == 0)
        #expect(again.output.isEmpty)

        // Alice sees Bob's read receipts.
        let receipts = try Self.vigil(["listen"] + alice + ["--as", "+14155550101", "--timeout", "0.5"])
        #expect(receipts.status == 0, "\(receipts.error)")
        let objects = try receipts.lines.map(Self.json)
        let read = objects.filter { $0["receipt"] as? String == "read" }
        #expect(read.flatMap { $0["envelopes"] as? [String] ?? [] } == [idOne, idTwo])
        #expect(read.allSatisfy { $0["from"] as? String == "+14155550102" })
    }

    @Test func listenWithACountTimesOutAsAnError() throws {
        let relay = try TestRelay()
        let directory = try Fixture.TemporaryDirectory()
        let run = try Self.vigil([
            "listen", "--relay", relay.address.description, "--state", directory.file("bob.state"), "--as", "+14155550102",
            "--count", "1", "--timeout", "0.3",
        ])
        #expect(run.status == 1)
        #expect(run.error.contains("vigil: timed out"))
    }

    @Test func mistakesAreOneLineWithStatus2() throws {
        let relay = try TestRelay()
        let directory = try Fixture.TemporaryDirectory()
        let base = ["--relay", relay.address.description, "--state", directory.file("alice.state")]
        let cases: [([String], String)] = [
            (["send"] + base + ["--from", "+14155550101", "hi"], "--to +E164 is required"),
            (["send"] + base + ["--from", "14155550101", "--to", "+14155550102", "hi"], "--from takes an E.164 number"),
            (["send"] + base + ["--from", "+14155550101", "--to", "+14155550102"], "no message TEXT"),
            (["send"] + base + ["--from", "+14155550101", "--to", "+14155550102", "--business", "spam", "x"], "--business takes"),
            (["send", "--relay", "localhost:1", "--state", "x", "--from", "+14155550101", "--to", "+14155550102", "x"], "--relay"),
            (["listen"] + base + ["--as", "+14155550101", "--receipts", "maybe"], "--receipts takes"),
            (["listen"] + base + ["--as", "+14155550101", "--timeout", "-1"], "--timeout must be"),
        ]
        for (arguments, message) in cases {
            let run = try Self.vigil(arguments)
            #expect(run.status == 2, "\(arguments)")
            #expect(run.error.hasPrefix("vigil: ") && run.error.contains(message) && run.error.contains("(see --help)"), "\(run.error)")
            #expect(run.error.split(separator: "\n").count == 1)
        }
        #expect(!FileManager.default.fileExists(atPath: directory.file("alice.state")))
    }

    @Test func unusableStateFilesAndAnotherNumberAreRefused() throws {
        let relay = try TestRelay()
        let directory = try Fixture.TemporaryDirectory()
        let state = directory.file("alice.state")
        let base = ["--relay", relay.address.description, "--state", state]
        let register = try Self.vigil(["listen"] + base + ["--as", "+14155550101", "--timeout", "0.2"])
        #expect(register.status == 0, "\(register.error)")
        // Another number with Alice's state file.
        let wrong = try Self.vigil(["send"] + base + ["--from", "+14155550109", "--to", "+14155550101", "x"])
        #expect(wrong.status == 2)
        #expect(wrong.error.contains("holds the state of +14155550101"))
        // A state file others can read.
        try FileManager.default.setAttributes([.posixPermissions: 0o644], ofItemAtPath: state)
        let insecure = try Self.vigil(["send"] + base + ["--from", "+14155550101", "--to", "+14155550101", "x"])
        #expect(insecure.status == 1)
        #expect(insecure.error.contains("accessible to other users"))
        // A damaged one.
        try FileManager.default.setAttributes([.posixPermissions: 0o600], ofItemAtPath: state)
        var bytes = try Data(contentsOf: URL(fileURLWithPath: state))
        bytes[bytes.count - 5] ^= 0x01
        try bytes.write(to: URL(fileURLWithPath: state))
        try FileManager.default.setAttributes([.posixPermissions: 0o600], ofItemAtPath: state)
        let damaged = try Self.vigil(["listen"] + base + ["--as", "+14155550101", "--timeout", "0.2"])
        #expect(damaged.status == 1)
        #expect(damaged.error.contains("checksum mismatch"))
    }

    @Test func anUnreachableRelayIsReported() throws {
        let directory = try Fixture.TemporaryDirectory()
        // A port nothing listens on: bind-and-release is racy, so use the relay's after it stopped.
        let address: String
        do {
            let relay = try TestRelay()
            address = relay.address.description
            relay.host.stop()
        }
        let run = try Self.vigil([
            "send", "--relay", address, "--state", directory.file("a.state"), "--from", "+14155550101", "--to", "+14155550102", "x",
        ])
        #expect(run.status == 1)
        #expect(run.error.contains("cannot reach the relay"))
        #expect(!FileManager.default.fileExists(atPath: directory.file("a.state")))
    }

    @Test func helpIsPrinted() throws {
        for command in ["send", "listen"] {
            let run = try Self.vigil([command, "--help"])
            #expect(run.status == 0)
            #expect(run.output.hasPrefix("USAGE: vigil \(command)"))
        }
        let top = try Self.vigil(["--help"])
        #expect(top.output.contains("send ") && top.output.contains("listen "))
    }
}
