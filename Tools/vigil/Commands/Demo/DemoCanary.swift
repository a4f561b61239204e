/// The run's canary: a random token (fresh from the system's generator on every run, never from
/// the seed) appended to every plaintext a user or business writes. Content that leaks carries it.
struct DemoCanary: Sendable {
    /// 24 lowercase hex digits.
    let token: String

    /// A fresh canary.
    init() {
        var generator = SystemRandomNumberGenerator()
        token = (0..<12).map { _ in
            let byte = UInt8.random(in: 0...255, using: &generator)
            return String(byte >> 4, radix: 16) + String(byte & 0xF, radix: 16)
        }.joined()
    }

    /// A known canary (`vigil audit` reading a run's inputs).
    init(token: String) {
        self.token = token
    }

    /// The words carrying the canary (a template's last body parameter).
    var reference: String { "ref vigil-canary-" + token }

    /// `text` with the canary appended.
    func tag(_ text: String) -> String { text + " · " + reference }

    /// The byte patterns the audit looks for: the token as UTF-8 and as UTF-16LE (how some
    /// runtimes keep strings).
    var patterns: [DemoPattern] {
        [
            DemoPattern(name: "canary (UTF-8)", bytes: Array(token.utf8)),
            DemoPattern(name: "canary (UTF-16LE)", bytes: token.utf8.flatMap { [$0, 0] }),
        ]
    }
}

/// A byte pattern the audit counts.
struct DemoPattern: Sendable {
    /// What it is, for the report.
    let name: String
    /// The bytes.
    let bytes: [UInt8]
}
