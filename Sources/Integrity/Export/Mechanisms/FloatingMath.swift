import Glibc

/// The few C math functions the parameter choices need (thresholds, Gaussian σ, reported
/// variances). Noise itself is never sampled with floating point.
enum FloatingMath {
    static func exp(_ x: Double) -> Double { Glibc.exp(x) }
    static func log(_ x: Double) -> Double { Glibc.log(x) }
    static func pow(_ x: Double, _ y: Double) -> Double { Glibc.pow(x, y) }
    static func sqrt(_ x: Double) -> Double { x.squareRoot() }
}
