/// The version `vigil --version` prints and `/metrics` reports (`vigil_build_info`).
enum VigilVersion {
    static let current = "0.3.0"
}
