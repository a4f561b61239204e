import Testing
@testable import Transport

/// Programmer errors trap (exit tests): they are code mistakes, never reachable from input.
@Suite("HTTP preconditions")
struct HTTPPreconditionTests {
    @Test func anInvalidRoutePatternTraps() async {
        await #expect(processExitsWith: .failure) {
            var router = HTTPRouter()
            router.add(.get, "no-leading-slash") { _, _ in }
        }
    }

    @Test func feedingAMachineThatWaitsForItsHandlerTraps() async {
        await #expect(processExitsWith: .failure) {
            var machine = HTTPServerConnectionStateMachine(
                limits: HTTPParserLimits(), timeouts: HTTPServerConnectionStateMachineTests.timeouts, now: .zero)
            machine.receive(Array("GET / HTTP/1.1\r\nHost: a\r\n\r\n".utf8)[...], at: .zero)
            _ = machine.nextAction(at: .zero)
            machine.receive(Array("GET".utf8)[...], at: .zero)
        }
    }

    @Test func nonsensicalLimitsTrap() async {
        await #expect(processExitsWith: .failure) {
            _ = HTTPParserLimits(maximumHeadSize: 4)
        }
    }
}
