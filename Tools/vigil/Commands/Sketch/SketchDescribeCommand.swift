import Stats

/// `vigil sketch describe`: what a sketch image holds.
struct SketchDescribeCommand: Command {
    static let help = """
        USAGE: vigil sketch describe FILE [--json] [--item X] [--numeric int|double] [--rank R]

        Prints a sketch image's type, mode, parameters, n, estimate and bounds.

        OPTIONS:
          --json                one JSON object, e.g. for HLL {"type":"hll","lg_k":12,"mode":"HLL",
                                "target":"HLL_8","empty":false,"estimate":E,"lower_bound":[l1,l2,l3],
                                "upper_bound":[u1,u2,u3]}
          --item X              cms/fi: add the item's estimate and bounds
          --numeric int|double  cms: X is a number, hashed as DataSketches hashes numbers
          --rank R              kll: add the quantile at normalized rank R (0…1)
        """

    let path: String
    let json: Bool
    let item: String?
    let numeric: NumericMode?
    let rank: Double?

    init(parsing arguments: inout Arguments) throws(CLIError) {
        json = arguments.flag("--json")
        item = try arguments.option("--item")
        numeric = try arguments.option("--numeric", as: "int or double", { NumericMode(rawValue: $0) })
        rank = try arguments.double("--rank")
        let files = try arguments.positionals()
        guard files.count == 1, let path = files.first else { throw CLIError("give exactly one sketch file") }
        self.path = path
        if let rank, !(0...1).contains(rank) { throw CLIError("--rank must be in 0…1, got \(rank)") }
    }

    func run() throws {
        let bytes = try FileIO.read(path)
        let kind: SketchKind
        do { kind = try SketchKind(image: bytes) } catch { throw CLIError("\(path): \(error)") }
        if item != nil, kind != .cms, kind != .fi { throw CLIError("--item applies to cms and fi sketches, \(path) is \(kind.rawValue)") }
        if rank != nil, kind != .kll { throw CLIError("--rank applies to kll sketches, \(path) is \(kind.rawValue)") }
        let object: JSONObject
        switch kind {
        case .hll: object = try describeHLL(bytes)
        case .cms: object = try SketchBuilders.describeCountMin(path, bytes, item: item, numeric: numeric)
        case .fi: object = try SketchBuilders.describeFrequentItems(path, bytes, item: item)
        case .kll: object = try SketchBuilders.describeKLL(path, bytes, rank: rank)
        }
        print(json ? object.text : object.humanReadable)
    }

    private func describeHLL(_ bytes: [UInt8]) throws(CLIError) -> JSONObject {
        let sketch = try decode(path) { () throws(SketchDecodingError) in try HLLSketch(serialized: bytes) }
        var object = JSONObject()
        object.set("type", "hll")
        object.set("lg_k", sketch.lgK)
        object.set("mode", sketch.mode.description)
        object.set("target", (HLLSketch.imageTargetType(bytes) ?? .hll8).description)
        object.set("empty", sketch.isEmpty)
        object.set("estimate", sketch.estimate)
        object.set("lower_bound", (1...3).map { (try? sketch.lowerBound(standardDeviations: $0)) ?? .nan })
        object.set("upper_bound", (1...3).map { (try? sketch.upperBound(standardDeviations: $0)) ?? .nan })
        return object
    }
}
