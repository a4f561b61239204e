import Foundation
import Testing

/// DESIGN.md's module rules, checked against the package manifest itself
/// (`swift package dump-package`): the relay and the analyzer cannot decrypt because the code that
/// could is not linked into them.
@Suite struct ModuleRulesTests {
    struct Manifest: Decodable {
        struct Target: Decodable {
            let name: String
            let type: String
            let dependencies: [Dependency]
        }

        /// `{"byName": ["X", null]}`, `{"target": ["X", null]}` or `{"product": ["X", "pkg", …]}`.
        struct Dependency: Decodable {
            let name: String
            init(from decoder: any Decoder) throws {
                let container = try decoder.singleValueContainer()
                let object = try container.decode([String: [String?]].self)
                guard let first = object.values.first?.first, let name = first else {
                    throw DecodingError.dataCorruptedError(in: container, debugDescription: "unnamed dependency")
                }
                self.name = name
            }
        }

        let targets: [Target]
    }

    static func manifest() throws -> Manifest {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        // A scratch path of its own: `swift test` holds the lock on the package's .build.
        let scratch = FileManager.default.temporaryDirectory.appendingPathComponent("vigil-dump-package-\(getpid())")
        defer { try? FileManager.default.removeItem(at: scratch) }
        process.arguments = ["swift", "package", "--package-path", root.path, "--scratch-path", scratch.path, "dump-package"]
        let pipe = Pipe()
        process.standardOutput = pipe
        process.standardError = FileHandle.nullDevice
        try process.run()
        let data = pipe.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return try JSONDecoder().decode(Manifest.self, from: data)
    }

    /// Every target reachable from `name` through target dependencies.
    static func closure(of name: String, in manifest: Manifest) -> Set<String> {
        let byName = Dictionary(uniqueKeysWithValues: manifest.targets.map { ($0.name, $0) })
        var seen: Set<String> = []
        var stack = [name]
        while let next = stack.popLast() {
            for dependency in byName[next]?.dependencies ?? [] where seen.insert(dependency.name).inserted {
                stack.append(dependency.name)
            }
        }
        return seen
    }

    @Test func blindModulesNeverLinkDecryption() throws {
        let manifest = try Self.manifest()
        let names = Set(manifest.targets.map(\.name))
        #expect(names.isSuperset(of: ["Stats", "Crypto", "COpenSSL", "Storage", "Transport", "Client", "Integrity"]))
        let forbidden: Set<String> = ["Crypto", "COpenSSL", "CloudAPI", "Client"]
        for blind in ["Transport", "Integrity", "Stats", "Storage"] where names.contains(blind) {
            let reachable = Self.closure(of: blind, in: manifest)
            #expect(reachable.isDisjoint(with: forbidden), "\(blind) reaches \(reachable.intersection(forbidden).sorted())")
        }
    }

    @Test func onlyCryptoTouchesOpenSSL() throws {
        let manifest = try Self.manifest()
        for target in manifest.targets where target.type != "test" {
            let direct = Set(target.dependencies.map(\.name))
            if direct.contains("COpenSSL") { #expect(target.name == "Crypto", "\(target.name) links COpenSSL directly") }
            if direct.contains("CSQLite") { #expect(target.name == "Storage", "\(target.name) links CSQLite directly") }
        }
    }

    @Test func theRuleItselfCatchesAViolation() throws {
        // A synthetic manifest where Transport reaches Crypto through Storage must be flagged.
        let json = #"{"targets":[{"name":"Transport","type":"regular","dependencies":[{"byName":["Storage",null]}]},{"name":"Storage","type":"regular","dependencies":[{"byName":["Crypto",null]}]},{"name":"Crypto","type":"regular","dependencies":[]}]}"#
        let manifest = try JSONDecoder().decode(Manifest.self, from: Data(json.utf8))
        #expect(Self.closure(of: "Transport", in: manifest).contains("Crypto"))
    }
}
