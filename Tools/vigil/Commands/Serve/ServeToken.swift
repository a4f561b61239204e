import Glibc

/// The Bearer token of `vigil serve`'s HTTP API: the first line of a file, at least 16 bytes. The
/// default file is created on first start with 32 random bytes as hex, mode 0600.
enum ServeToken {
    static func load(_ path: String, createIfMissing: Bool) throws(CLIError) -> [UInt8] {
        if createIfMissing, access(path, F_OK) != 0 {
            var generator = SystemRandomNumberGenerator()
            let hex = (0..<32).map { _ in String(UInt8.random(in: 0...255, using: &generator), radix: 16) }
                .map { $0.count == 1 ? "0" + $0 : $0 }.joined()
            try FileIO.write(Array((hex + "\n").utf8), to: path)
        }
        let bytes = try FileIO.read(path)
        let line = Array(bytes.prefix { $0 != UInt8(ascii: "\n") && $0 != UInt8(ascii: "\r") })
        guard line.count >= 16 else { throw CLIError("\(path): the token must be at least 16 bytes on its first line") }
        return line
    }
}
