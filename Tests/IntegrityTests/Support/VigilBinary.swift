import Foundation

/// Runs the `vigil` binary that `swift test` built next to the test bundle.
enum VigilBinary {
    struct Result {
        let status: Int32
        let standardOutput: String
        let standardError: String
    }

    struct NotBuilt: Error, CustomStringConvertible {
        let path: String
        var description: String { "vigil binary not found at \(path); run `swift build` first" }
    }

    static var path: URL {
        URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent().appendingPathComponent("vigil")
    }

    /// Runs `vigil arguments…` with `input` on standard input.
    static func run(_ arguments: [String], input: Data = Data()) throws -> Result {
        guard FileManager.default.isExecutableFile(atPath: path.path) else { throw NotBuilt(path: path.path) }
        let process = Process()
        process.executableURL = path
        process.arguments = arguments
        let stdin = Pipe(), stdout = Pipe(), stderr = Pipe()
        process.standardInput = stdin
        process.standardOutput = stdout
        process.standardError = stderr
        try process.run()
        stdin.fileHandleForWriting.write(input)
        try stdin.fileHandleForWriting.close()
        let out = stdout.fileHandleForReading.readDataToEndOfFile()
        let err = stderr.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return Result(status: process.terminationStatus, standardOutput: String(decoding: out, as: UTF8.self),
                      standardError: String(decoding: err, as: UTF8.self))
    }

    /// A fresh temporary directory.
    static func temporaryDirectory() throws -> URL {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("vigil-analyze-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url
    }
}
