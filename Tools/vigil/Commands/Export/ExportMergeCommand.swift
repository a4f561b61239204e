import Integrity

/// `vigil export merge`: the union of transport exports from several shards.
struct ExportMergeCommand: Command {
    static let help = """
        USAGE: vigil export merge A.json B.json … --out C.json

        Merges transport-audience exports (from shards that share pseudonym keys): counters add,
        HLL sketches unite, KLL sketches merge, days widen to cover every input. Platform releases
        cannot be merged (they are noised and thresholded) and are refused.

        OPTIONS:
          --out FILE   where to write the merged export (- for standard output)
        """

    let output: String
    let inputs: [String]

    init(parsing arguments: inout Arguments) throws(CLIError) {
        guard let output = try arguments.option("--out") else { throw CLIError("--out FILE is required") }
        self.output = output
        inputs = try arguments.positionals()
        guard inputs.count >= 1 else { throw CLIError("give at least one transport export to merge") }
    }

    func run() throws {
        var exports: [TransportExport] = []
        for path in inputs {
            do {
                exports.append(try TransportExport(json: try FileIO.read(path)))
            } catch let error as ExportError {
                throw CLIError("\(path): \(error)")
            }
        }
        let merged = try TransportExport.merged(exports)
        try FileIO.write(Array(merged.json().utf8), to: output)
        Console.progress("export merge: \(inputs.count) exports, \(merged.cells.count) cells, \(merged.shards) shards, \(merged.days.lowerBound)…\(merged.days.upperBound)")
    }
}
