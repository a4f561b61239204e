#if !FUZZING
import Foundation

/// `vigil-fuzz` in the normal build: replays corpus and regression inputs through the harnesses
/// (without sanitizers), lists the harnesses, and writes the seed corpora.
@main
struct ReplayCommand {
    static let usage = """
        USAGE: vigil-fuzz list
               vigil-fuzz seeds DIR
               vigil-fuzz NAME PATH...

          list         each harness: name, -max_len, what it checks
          seeds DIR    writes DIR/NAME/seed-N for every harness (small valid inputs built with the encoders)
          NAME PATH... runs harness NAME on each file, and on each file inside each directory; exits 0 when
                       every input passes (and says how many the parser accepted rather than refused),
                       aborts on the first broken invariant or trap (the input is named on stderr first)

        The fuzzing build of the same target is made and run by Fuzz/run.sh (see FUZZING.md).
        """

    struct Failure: Error, CustomStringConvertible {
        let description: String
    }

    static func main() {
        let arguments = Array(CommandLine.arguments.dropFirst())
        do {
            try run(arguments)
        } catch {
            FileHandle.standardError.write(Data("vigil-fuzz: \(error)\n".utf8))
            exit(1)
        }
    }

    static func run(_ arguments: [String]) throws {
        guard let command = arguments.first, !["--help", "-h", "help"].contains(command) else {
            print(usage)
            return
        }
        switch command {
        case "list":
            for harness in Harness.all {
                print("\(harness.name) (max_len \(harness.maximumLength))\n    \(harness.summary)")
            }
        case "seeds":
            guard arguments.count == 2 else { throw Failure(description: "seeds takes one directory\n\(usage)") }
            try writeSeeds(into: URL(fileURLWithPath: arguments[1]))
        default:
            guard let harness = Harness.named(command) else {
                throw Failure(description: "no harness named '\(command)'; `vigil-fuzz list` names them")
            }
            guard arguments.count > 1 else { throw Failure(description: "no input paths for \(command)\n\(usage)") }
            let files = try inputFiles(Array(arguments.dropFirst()))
            var accepted = 0
            for file in files {
                FileHandle.standardError.write(Data("\(harness.name): \(file.path)\n".utf8))
                if harness.run(Array(try Data(contentsOf: file))) { accepted += 1 }
            }
            print("\(harness.name): \(files.count) inputs passed, \(accepted) accepted by the parser")
        }
    }

    /// The files named, and the regular files directly inside the directories named, sorted by path.
    static func inputFiles(_ paths: [String]) throws -> [URL] {
        var files: [URL] = []
        for path in paths {
            var isDirectory: ObjCBool = false
            guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else {
                throw Failure(description: "\(path): no such file or directory")
            }
            guard isDirectory.boolValue else {
                files.append(URL(fileURLWithPath: path))
                continue
            }
            let names = try FileManager.default.contentsOfDirectory(atPath: path).filter { !$0.hasPrefix(".") }.sorted()
            files += names.map { URL(fileURLWithPath: path).appendingPathComponent($0) }
        }
        return files
    }

    /// Writes every harness's seeds as DIR/NAME/seed-N, replacing earlier seed files.
    static func writeSeeds(into directory: URL) throws {
        for harness in Harness.all {
            let folder = directory.appendingPathComponent(harness.name)
            try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
            let seeds = harness.seeds()
            for (index, seed) in seeds.enumerated() {
                harness.run(seed)  // a seed must pass its own harness (a broken invariant aborts)
                try Data(seed).write(to: folder.appendingPathComponent("seed-\(index + 1)"))
            }
            FileHandle.standardError.write(Data("\(harness.name): \(seeds.count) seeds\n".utf8))
        }
    }
}
#endif
