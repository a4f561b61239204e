import Glibc
import Testing
@testable import Transport

/// Randomized checks of the server: its state machine answers pipelined requests in order in
/// every split, and garbage over real sockets never takes the server down.
@Suite("HTTP server fuzzing", .serialized)
struct HTTPServerFuzzTests {
    typealias Machine = HTTPServerConnectionStateMachine

    /// A pipelined stream of random valid requests, fed to the machine in random splits, with the
    /// handler answering each request either at once or a few feeds later.
    @Test func pipelinedStreamsAreDispatchedInOrderInEverySplit() {
        for seed in UInt64(0)..<300 {
            var random = HTTPRandom(seed: seed)
            var stream: [UInt8] = []
            var expected: [(String, [UInt8])] = []
            for index in 0..<random.int(1...12) {
                let body = random.bytes(random.int(0...300))
                let target = "/r/\(index)"
                if body.isEmpty && random.chance(0.5) {
                    stream += Array("GET \(target) HTTP/1.1\r\nHost: h\r\n\r\n".utf8)
                } else if random.chance(0.5) {
                    stream += Array("POST \(target) HTTP/1.1\r\nHost: h\r\nContent-Length: \(body.count)\r\n\r\n".utf8) + body
                } else {
                    stream += Array("PUT \(target) HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\n".utf8)
                    var rest = body[...]
                    while !rest.isEmpty {
                        let size = min(rest.count, random.int(1...64))
                        stream += Array("\(String(size, radix: 16))\r\n".utf8) + rest.prefix(size) + [13, 10]
                        rest = rest.dropFirst(size)
                    }
                    stream += Array("0\r\n\r\n".utf8)
                }
                expected.append((target, body))
            }
            var machine = Machine(limits: HTTPParserLimits(), timeouts: HTTPServerConnectionStateMachineTests.timeouts, now: .zero)
            var dispatched: [(String, [UInt8])] = []
            var waiting: UInt64?
            var responses = 0
            var pending = HTTPParseHarness.randomSplits(stream, random: &random)[...]
            var rounds = 0
            while rounds < 10_000 {
                rounds += 1
                if machine.wantsInput, let chunk = pending.popFirst() {
                    machine.receive(chunk, at: .zero)
                }
                while let action = machine.nextAction(at: .zero) {
                    switch action {
                    case let .dispatch(request, sequence):
                        dispatched.append((request.target, request.body))
                        waiting = sequence
                    case let .send(response, _, closeAfterward):
                        #expect(response.status == .ok, "seed \(seed)")
                        #expect(!closeAfterward, "seed \(seed)")
                        responses += 1
                    case .sendContinue, .close:
                        Issue.record("seed \(seed): unexpected \(action)")
                    }
                }
                // Everything fed, answered and written.
                if pending.isEmpty && waiting == nil && machine.wantsInput && machine.parser.isAtMessageBoundary { break }
                if let sequence = waiting, random.chance(0.6) {
                    let accepted = machine.respond(.text(.ok, ""), sequence: sequence, at: .zero)
                    #expect(accepted, "seed \(seed)")
                    waiting = nil
                }
            }
            #expect(dispatched.map(\.0) == expected.map(\.0), "seed \(seed)")
            #expect(dispatched.map(\.1) == expected.map(\.1), "seed \(seed)")
            #expect(responses == expected.count, "seed \(seed)")
        }
    }

    /// Random and mutated requests over real connections: every one is answered with a status
    /// or closed, and the server keeps serving.
    @Test func garbageOverSocketsNeverTakesTheServerDown() throws {
        let server = try HTTPServerFixture { $0.headTimeout = .milliseconds(300); $0.lingerTimeout = .milliseconds(100) }
        for seed in UInt64(0)..<120 {
            var random = HTTPRandom(seed: seed)
            let base = HTTPParserFuzzTests.requestCorpus[random.int(0...(HTTPParserFuzzTests.requestCorpus.count - 1))]
            let bytes = seed % 3 == 0 ? random.bytes(random.int(1...400)) : HTTPParserFuzzTests.mutate(base, random: &random)
            let socket = try TCPClientSocket(connectingTo: server.address)
            try? socket.send(bytes)
            try? socket.shutdownOutput()
            // Whatever comes back must be complete HTTP responses (possibly none), then EOF.
            let reply = (try? socket.receiveUntilEndOfFile(timeout: .seconds(5))) ?? []
            let outcome = HTTPParseHarness.parseResponses(
                HTTPParseHarness.whole(reply), requests: Array(repeating: .get, count: 32),
                limits: HTTPParserLimits(maximumHeadSize: 64 * 1024, maximumBodySize: 1 << 20), finish: true)
            #expect(outcome.error == nil, "seed \(seed): \(String(describing: outcome.error)) in \(String(decoding: reply.prefix(200), as: UTF8.self))")
            #expect(outcome.messages.allSatisfy { $0.complete && (100...599).contains($0.head.status.code) }, "seed \(seed)")
            socket.close()
        }
        let client = try RawHTTPConnection(server.address)
        try client.send("GET /items/alive HTTP/1.1\r\nHost: t\r\n\r\n")
        #expect(try client.read(1).first?.text == "item alive q=-")
    }

    @Test func bindingATakenAddressThrows() throws {
        let first = try HTTPServerFixture()
        #expect(throws: SystemError.self) {
            _ = try HTTPServerHost.start(HTTPServerConfiguration(listenAddress: first.address)) { _ in { _, _ in } }
        }
    }
}
