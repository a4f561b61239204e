import Stats

/// `vigil sketch build`: items one per line → a DataSketches-compatible image.
struct SketchBuildCommand: Command {
    static let help = """
        USAGE: vigil sketch build --type hll|cms|fi|kll --out FILE [options]

        Builds a sketch from items, one per line, read from --input FILE or standard input. A line is
        hashed as its bytes without the newline (empty lines are ignored, as DataSketches ignores
        empty strings). The image is readable by Apache DataSketches 5.2.0 (Python, C++).

        OPTIONS:
          --type T              hll, cms (count-min), fi (frequent strings) or kll (floats)
          --out FILE            where to write the image ("-" for standard output)
          --input FILE          items, one per line (default: standard input)
          --numeric int|double  parse lines as Int64 / Double instead of hashing their bytes (hll, cms)
          hll:  --lgk N (4…21, default 12)  --target HLL_8  --format compact|updatable (default compact)
          cms:  --num-hashes N (default 3)  --num-buckets M (default 272); a line may be item<TAB>weight
          fi:   --lg-max-map N (3…26, default 10); a line may be item<TAB>weight (positive integer)
          kll:  --k K (8…65535, default 200); every line is a number
        """

    let kind: SketchKind
    let output: String
    let input: String?
    let numeric: NumericMode?
    let lgK: Int
    let compact: Bool
    let numHashes: Int
    let numBuckets: Int
    let lgMaxMap: Int
    let k: Int

    init(parsing arguments: inout Arguments) throws(CLIError) {
        guard let kind = try arguments.option("--type", as: "hll, cms, fi or kll", { SketchKind(rawValue: $0) }) else {
            throw CLIError("--type is required (hll, cms, fi or kll)")
        }
        guard let output = try arguments.option("--out") else { throw CLIError("--out FILE is required") }
        self.kind = kind
        self.output = output
        input = try arguments.option("--input")
        numeric = try arguments.option("--numeric", as: "int or double", { NumericMode(rawValue: $0) })
        lgK = try arguments.integer("--lgk", in: HLLSketch.lgKRange) ?? HLLSketch.defaultLgK
        if let target = try arguments.option("--target") {
            guard let type = HLLTargetType(name: target) else { throw CLIError("--target takes HLL_4, HLL_6 or HLL_8, got '\(target)'") }
            guard type == .hll8 else {
                throw CLIError("--target \(type) is not written by Vigil: it writes HLL_8 and reads HLL_4, HLL_6 and HLL_8")
            }
        }
        switch try arguments.option("--format") {
        case nil, "compact": compact = true
        case "updatable": compact = false
        case let other?: throw CLIError("--format takes compact or updatable, got '\(other)'")
        }
        numHashes = try arguments.integer("--num-hashes", in: 1...255) ?? 3
        numBuckets = try arguments.integer("--num-buckets", in: 3...(1 << 30)) ?? 272
        lgMaxMap = try arguments.integer("--lg-max-map", in: 3...26) ?? 10
        k = try arguments.integer("--k", in: 8...65535) ?? 200
        if numeric != nil, kind == .fi || kind == .kll {
            throw CLIError("--numeric applies to hll and cms (fi counts strings; kll always reads numbers)")
        }
    }

    func run() throws {
        let lines = try readLines(input)
        let image: [UInt8]
        switch kind {
        case .hll: image = try buildHLL(lines)
        case .cms: image = try SketchBuilders.countMin(lines, numHashes: numHashes, numBuckets: numBuckets, numeric: numeric)
        case .fi: image = try SketchBuilders.frequentItems(lines, lgMaxMap: lgMaxMap)
        case .kll: image = try SketchBuilders.kll(lines, k: k)
        }
        try FileIO.write(image, to: output)
    }

    private func buildHLL(_ lines: [InputLine]) throws(CLIError) -> [UInt8] {
        guard var sketch = try? HLLSketch(lgK: lgK) else { throw CLIError("--lgk must be in 4…21") }
        for line in lines {
            if let hash = try ItemHasher.hash(line.bytes, numeric: numeric, line: line) { sketch.update(hash: hash) }
        }
        return sketch.serialized(compact: compact)
    }
}
