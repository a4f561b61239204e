/// Why a demo run failed (exit status 1), or that it was interrupted (exit status 130).
struct DemoError: Error, Sendable, CustomStringConvertible {
    /// One line for people.
    let description: String
    /// Set when SIGINT or SIGTERM stopped the run.
    let isInterruption: Bool

    /// A failure described by `description`.
    init(_ description: String) {
        self.description = description
        isInterruption = false
    }

    private init(interruption signal: String) {
        description = "interrupted by \(signal); stopped the relay and the endpoint"
        isInterruption = true
    }

    /// The run was stopped by `signal`.
    static func interrupted(by signal: String) -> DemoError { DemoError(interruption: signal) }
}
