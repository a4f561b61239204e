import Stats

/// `vigil sketch merge`: union / merge of same-type images.
struct SketchMergeCommand: Command {
    static let help = """
        USAGE: vigil sketch merge --out FILE A B …

        Merges sketch images of one type (as written by Vigil or Apache DataSketches 5.2.0) and writes
        the result: an HLL union (HLL_8 compact, lgK of the largest input, downsampled to the smallest
        HLL-mode input as DataSketches does), or a Count-Min, frequent-items or KLL merge.

        OPTIONS:
          --out FILE   where to write the merged image ("-" for standard output)
        """

    let output: String
    let inputs: [String]

    init(parsing arguments: inout Arguments) throws(CLIError) {
        guard let output = try arguments.option("--out") else { throw CLIError("--out FILE is required") }
        self.output = output
        inputs = try arguments.positionals()
        guard !inputs.isEmpty else { throw CLIError("give at least one sketch file to merge") }
    }

    func run() throws {
        var images: [(path: String, bytes: [UInt8], kind: SketchKind)] = []
        for path in inputs {
            let bytes = try FileIO.read(path)
            do {
                images.append((path, bytes, try SketchKind(image: bytes)))
            } catch {
                throw CLIError("\(path): \(error)")
            }
        }
        let kind = images[0].kind
        if let other = images.first(where: { $0.kind != kind }) {
            throw CLIError("cannot merge \(kind.rawValue) (\(images[0].path)) with \(other.kind.rawValue) (\(other.path))")
        }
        let merged: [UInt8]
        switch kind {
        case .hll:
            var sketches: [HLLSketch] = []
            for image in images { sketches.append(try decode(image.path) { () throws(SketchDecodingError) in try HLLSketch(serialized: image.bytes) }) }
            let lgMaxK = sketches.map(\.lgK).max() ?? HLLSketch.defaultLgK
            guard var union = try? HLLUnion(lgMaxK: lgMaxK) else { throw CLIError("invalid lgK \(lgMaxK)") }
            for sketch in sketches { union.update(sketch) }
            merged = union.result.serialized()
        case .cms: merged = try SketchBuilders.mergeCountMin(images.map { ($0.path, $0.bytes) })
        case .fi: merged = try SketchBuilders.mergeFrequentItems(images.map { ($0.path, $0.bytes) })
        case .kll: merged = try SketchBuilders.mergeKLL(images.map { ($0.path, $0.bytes) })
        }
        try FileIO.write(merged, to: output)
    }
}

/// Runs a decoder, prefixing its error with the file it came from.
func decode<T>(_ path: String, _ body: () throws(SketchDecodingError) -> T) throws(CLIError) -> T {
    do {
        return try body()
    } catch {
        throw CLIError("\(path): \(error)")
    }
}
