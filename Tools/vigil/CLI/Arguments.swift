/// A command-line mistake: printed as one line, exit status 2 (64 for usage would be EX_USAGE; we
/// keep the conventional 2 of most Unix tools).
struct CLIError: Error, CustomStringConvertible {
    let message: String
    init(_ message: String) { self.message = message }
    var description: String { message }
}

/// The arguments of one command, consumed option by option; whatever is left over is an error.
struct Arguments {
    private var remaining: [String]

    init(_ arguments: [String]) { remaining = arguments }

    /// Whether `--help` or `-h` was given.
    var wantsHelp: Bool { remaining.contains("--help") || remaining.contains("-h") }

    /// Removes a boolean flag; true if it was present.
    mutating func flag(_ name: String) -> Bool {
        guard let index = remaining.firstIndex(of: name) else { return false }
        remaining.remove(at: index)
        return true
    }

    /// Removes `--name VALUE` or `--name=VALUE` and returns VALUE (the last one if repeated).
    /// Matching is on UTF-8 bytes, so a VALUE opening with a combining mark stays intact.
    mutating func option(_ name: String) throws(CLIError) -> String? {
        let prefix = Array((name + "=").utf8)
        var value: String?
        while let index = remaining.firstIndex(where: { $0 == name || $0.utf8.starts(with: prefix) }) {
            let argument = remaining.remove(at: index)
            if argument == name {
                guard index < remaining.count, !remaining[index].hasPrefix("--") else {
                    throw CLIError("\(name) needs a value")
                }
                value = remaining.remove(at: index)
            } else {
                value = String(decoding: argument.utf8.dropFirst(prefix.count), as: UTF8.self)
            }
        }
        return value
    }

    /// Removes an option and converts it, with an error naming the option when conversion fails.
    mutating func option<T>(_ name: String, as what: String, _ convert: (String) -> T?) throws(CLIError) -> T? {
        guard let text = try option(name) else { return nil }
        guard let value = convert(text) else { throw CLIError("\(name) takes \(what), got '\(text)'") }
        return value
    }

    /// An integer option within `range`.
    mutating func integer(_ name: String, in range: ClosedRange<Int>) throws(CLIError) -> Int? {
        guard let value = try option(name, as: "an integer", { Int($0) }) else { return nil }
        guard range.contains(value) else {
            throw CLIError("\(name) must be in \(range.lowerBound)…\(range.upperBound), got \(value)")
        }
        return value
    }

    /// A floating-point option.
    mutating func double(_ name: String) throws(CLIError) -> Double? {
        try option(name, as: "a number", { Double($0) })
    }

    /// The remaining positional arguments; any leftover `--option` is rejected.
    mutating func positionals() throws(CLIError) -> [String] {
        if let unknown = remaining.first(where: { $0.hasPrefix("-") && $0 != "-" }) {
            throw CLIError("unknown option \(unknown)")
        }
        defer { remaining = [] }
        return remaining
    }

    /// Fails unless every argument was consumed.
    func finish() throws(CLIError) {
        if let first = remaining.first {
            throw CLIError(first.hasPrefix("-") ? "unknown option \(first)" : "unexpected argument '\(first)'")
        }
    }
}

/// A subcommand: parses its options in `init`, does its work in `run`.
protocol Command {
    /// Shown by `--help`.
    static var help: String { get }
    init(parsing arguments: inout Arguments) throws(CLIError)
    func run() throws
}

extension Command {
    /// Parses and runs, printing `--help` or one clear error line; returns the exit status.
    static func main(_ arguments: [String]) -> Int32 {
        var parsed = Arguments(arguments)
        if parsed.wantsHelp {
            print(help)
            return 0
        }
        do {
            let command = try Self(parsing: &parsed)
            try parsed.finish()
            try command.run()
            return 0
        } catch let error as CLIError {
            Console.error("\(error) (see --help)")
            return 2
        } catch {
            Console.error("\(error)")
            return 1
        }
    }
}
