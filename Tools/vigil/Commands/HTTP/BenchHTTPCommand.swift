import Transport

/// `vigil bench http`: request parsing and response encoding speed of the Transport HTTP code.
struct BenchHTTPCommand: Command {
    static let help = """
        USAGE: vigil bench http [--requests N] [--runs N]

        Measures the pure HTTP code with no sockets: parsing a typical webhook-sized POST (ns per
        request, fed whole), parsing a pipelined stream of them fed in 64 KiB pieces (requests/s,
        MB/s), and encoding a JSON response (ns per response). Best of --runs runs after a warm-up.

        OPTIONS:
          --requests N              requests per run (default 200000)
          --runs N                  measured runs (default 5)
          --help                    this text
        """

    let requests: Int
    let runs: Int

    init(parsing arguments: inout Arguments) throws(CLIError) {
        requests = try arguments.integer("--requests", in: 1_000...100_000_000) ?? 200_000
        runs = try arguments.integer("--runs", in: 1...100) ?? 5
    }

    static let content = #"{"messaging_product":"whatsapp","to":"15551234567","type":"text","text":{"body":"Hello there"}}"#

    /// A webhook-sized POST with 8 header fields, the shape CloudAPI receives.
    static let request = Array("""
        POST /v19.0/106540352242922/messages HTTP/1.1\r
        Host: graph.example.test\r
        User-Agent: vigil-bench/1.0\r
        Authorization: Bearer EAAJB0zZAx1xBAKZCqZB2ZBnZCZBxYZAbcdefghijklmnop\r
        Content-Type: application/json\r
        Accept: */*\r
        Accept-Encoding: identity\r
        X-Request-ID: 8d3f1c2a-5b6e-4f70-9a81-b2c3d4e5f607\r
        Content-Length: \(content.utf8.count)\r
        \r

        """.utf8) + Array(content.utf8)

    func run() throws {
        BenchClock.warnIfDebug()
        let single = Self.request
                // Correctness first: the fixture parses to one complete request with its content.
        var check = HTTPRequestParser()
        check.feed(single)
        var events = 0
        while let event = try check.next() {
            events += 1
            if case let .body(piece) = event, piece.count != Self.content.utf8.count { throw CLIError("fixture content is \(piece.count) bytes") }
        }
        guard events == 3 else { throw CLIError("fixture parsed to \(events) events") }

        let count = requests
        _ = Self.parseOneByOne(single, count: count / 10)  // warm-up
        let oneByOne = BenchClock.best(of: runs) { blackHole(Self.parseOneByOne(single, count: count)) }
        print("parse, one request per feed:   \(HTTPToolSupport.fixed(Double(oneByOne) / Double(count), 1, width: 7)) ns/request  (\(single.count) bytes, 8 fields)")

        var stream: [UInt8] = []
        stream.reserveCapacity(single.count * 1000)
        for _ in 0..<1000 { stream += single }
        let rounds = max(1, count / 1000)
        let pipelined = BenchClock.best(of: runs) { blackHole(Self.parseStream(stream, rounds: rounds)) }
        let perRequest = Double(pipelined) / Double(rounds * 1000)
        let megabytes = Double(stream.count * rounds) / (Double(pipelined) / 1e9) / 1e6
        print("parse, pipelined 64 KiB feeds: \(HTTPToolSupport.fixed(perRequest, 1, width: 7)) ns/request  (\(HTTPToolSupport.fixed(1e9 / perRequest, 0)) requests/s, \(HTTPToolSupport.fixed(megabytes, 0)) MB/s)")

        let encoder = HTTPResponseEncoder(serverName: "Vigil")
        let response = HTTPResponse.json(.ok, #"{"messaging_product":"whatsapp","contacts":[{"input":"15551234567","wa_id":"15551234567"}],"messages":[{"id":"wamid.HBgL"}]}"#)
        let context = HTTPResponseEncoder.Context(requestMethod: .post, date: "Sun, 06 Nov 1994 08:49:37 GMT")
        let encoded = BenchClock.best(of: runs) {
            var buffer: [UInt8] = []
            buffer.reserveCapacity(512)
            var total = 0
            for _ in 0..<count {
                buffer.removeAll(keepingCapacity: true)
                try? encoder.encode(response, context: context, into: &buffer)
                total &+= buffer.count
            }
            blackHole(total)
        }
        print("encode a JSON response:        \(HTTPToolSupport.fixed(Double(encoded) / Double(count), 1, width: 7)) ns/response")
    }

    /// Parses `count` copies of `request`, each fed on its own; returns the content bytes seen.
    static func parseOneByOne(_ request: [UInt8], count: Int) -> Int {
        var parser = HTTPRequestParser()
        var content = 0
        for _ in 0..<count {
            parser.feed(request)
            while let event = try? parser.next() {
                if case let .body(piece) = event { content &+= piece.count }
            }
        }
        return content
    }

    /// Parses `stream` `rounds` times, fed in 64 KiB pieces; returns the requests completed.
    static func parseStream(_ stream: [UInt8], rounds: Int) -> Int {
        var parser = HTTPRequestParser()
        var completed = 0
        for _ in 0..<rounds {
            var start = 0
            while start < stream.count {
                let end = min(stream.count, start + 65_536)
                parser.feed(stream[start..<end])
                start = end
                while let event = try? parser.next() {
                    if case .end = event { completed &+= 1 }
                }
            }
        }
        return completed
    }
}
