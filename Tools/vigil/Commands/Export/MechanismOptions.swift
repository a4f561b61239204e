import Integrity

/// `vigil export --print-mechanism`: the calibrated noise for one query, and optionally seeded
/// samples, as one JSON line — the oracle the OpenDP interop check compares against.
struct MechanismOptions {
    let sensitivity: Int
    let epsilon: Epsilon
    let delta: Delta
    let noise: NoiseKind
    let samples: Int
    let seed: UInt64

    init(parsing arguments: inout Arguments) throws(CLIError) {
        guard let sensitivity = try arguments.integer("--sensitivity", in: 1...1_000_000) else { throw CLIError("--sensitivity N is required") }
        guard let epsilon = try arguments.option("--epsilon", as: "a decimal ε (a multiple of 0.000001)", { Epsilon(decimal: $0) }) else {
            throw CLIError("--epsilon E is required")
        }
        self.sensitivity = sensitivity
        self.epsilon = epsilon
        delta = try arguments.option("--delta", as: "a decimal δ", { Delta(decimal: $0) }) ?? Delta(units: 1_000_000_000)
        noise = try arguments.option("--noise", as: "laplace or gaussian", { NoiseKind(rawValue: $0) }) ?? .laplace
        samples = try arguments.integer("--samples", in: 0...10_000_000) ?? 0
        seed = try arguments.option("--seed", as: "an unsigned integer", { UInt64($0) }) ?? 1
    }

    func run() throws {
        let mechanism: NoiseMechanism
        do {
            mechanism = try NoiseMechanism.make(noise, l1: sensitivity, l2: Double(sensitivity), epsilon: epsilon, delta: delta)
        } catch {
            throw CLIError(error.description)
        }
        var fields = ["\"mechanism\":\"\(noise == .laplace ? "discrete_laplace" : "discrete_gaussian")\"",
                      "\"sensitivity\":\(sensitivity)", "\"epsilon\":\(epsilon)"]
        switch mechanism {
        case let .laplace(laplace):
            fields += ["\"scale\":\(laplace.scale)", "\"scale_numerator\":\(laplace.numerator)", "\"scale_denominator\":\(laplace.denominator)",
                       "\"alpha\":\(laplace.alpha)", "\"variance\":\(laplace.variance)"]
        case let .gaussian(gaussian):
            fields += ["\"delta\":\(delta)", "\"sigma\":\(gaussian.variance.squareRoot())", "\"variance\":\(gaussian.variance)"]
        }
        if samples > 0 {
            var source = SeededNoiseSource(seed: seed)
            var values: [String] = []
            values.reserveCapacity(samples)
            for _ in 0..<samples { values.append(String(try mechanism.sample(using: &source))) }
            fields.append("\"seed\":\(seed)")
            fields.append("\"samples\":[" + values.joined(separator: ",") + "]")
        }
        print("{" + fields.joined(separator: ",") + "}")
    }
}
