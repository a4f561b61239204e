import Testing
@testable import Transport

/// The server connection's pure state machine, driven with made-up instants: one line per
/// transition.
@Suite("HTTP server connection state machine")
struct HTTPServerConnectionStateMachineTests {
    typealias Machine = HTTPServerConnectionStateMachine
    static let timeouts = Machine.Timeouts(head: .seconds(10), body: .seconds(30), idle: .seconds(60), response: .seconds(5), linger: .seconds(2))

    static func at(_ seconds: Int) -> MonotonicInstant { MonotonicInstant(nanoseconds: UInt64(seconds) * 1_000_000_000) }

    /// Runs actions until the machine waits; returns them.
    static func drain(_ machine: inout Machine, at seconds: Int) -> [Machine.Action] {
        var actions: [Machine.Action] = []
        while let action = machine.nextAction(at: at(seconds)) { actions.append(action) }
        return actions
    }

    static func respond(_ machine: inout Machine, _ response: HTTPResponse, sequence: UInt64, at seconds: Int) -> Bool {
        machine.respond(response, sequence: sequence, at: at(seconds))
    }

    static func fire(_ machine: inout Machine, at seconds: Int) -> [Machine.Action] {
        machine.timerFired(at: at(seconds)).map { [$0] } ?? []
    }

    static func describe(_ actions: [Machine.Action]) -> [String] {
        actions.map { action in
            switch action {
            case .sendContinue: return "continue"
            case let .dispatch(request, sequence): return "dispatch \(sequence) \(request.method) \(request.target) \(request.body.count)"
            case let .send(response, context, close): return "send \(response.status.code)\(context.closesConnection ? " close" : "")\(close ? " linger" : "")"
            case .close: return "close"
            }
        }
    }

    @Test func keepAliveRequestsAreAnsweredOneAtATime() {
        var machine = Machine(limits: HTTPParserLimits(), timeouts: Self.timeouts, now: Self.at(0))
        #expect(machine.deadline == Self.at(60))
        machine.receive("GET /1 HTTP/1.1\r\nHost: a\r\n\r\nGET /2 HTTP/1.1\r\nHost: a\r\n\r\n".httpBytes[...], at: Self.at(1))
        #expect(Self.describe(Self.drain(&machine, at: 1)) == ["dispatch 1 GET /1 0"])
        #expect(!machine.wantsInput)
        #expect(machine.deadline == Self.at(6))
        #expect(Self.respond(&machine, .text(.ok, "one"), sequence: 2, at: 2) == false)
        #expect(Self.respond(&machine, .text(.ok, "one"), sequence: 1, at: 2))
        #expect(Self.respond(&machine, .text(.ok, "again"), sequence: 1, at: 2) == false)
        #expect(Self.describe(Self.drain(&machine, at: 2)) == ["send 200", "dispatch 2 GET /2 0"])
        #expect(Self.respond(&machine, .text(.ok, "two"), sequence: 2, at: 3))
        #expect(Self.describe(Self.drain(&machine, at: 3)) == ["send 200"])
        #expect(machine.wantsInput)
        #expect(machine.deadline == Self.at(63))
    }

    @Test func contentIsCollectedBeforeDispatch() {
        var machine = Machine(limits: HTTPParserLimits(), timeouts: Self.timeouts, now: Self.at(0))
        machine.receive("POST /u HTTP/1.1\r\nHost: a\r\nContent-Length: 6\r\n\r\nabc".httpBytes[...], at: Self.at(1))
        #expect(Self.drain(&machine, at: 1).isEmpty)
        #expect(machine.deadline == Self.at(31))
        machine.receive("def".httpBytes[...], at: Self.at(2))
        #expect(Self.describe(Self.drain(&machine, at: 2)) == ["dispatch 1 POST /u 6"])
    }

    @Test func expectContinueIsAnsweredBeforeTheContent() {
        var machine = Machine(limits: HTTPParserLimits(), timeouts: Self.timeouts, now: Self.at(0))
        machine.receive("PUT /u HTTP/1.1\r\nHost: a\r\nExpect: 100-continue\r\nContent-Length: 2\r\n\r\n".httpBytes[...], at: Self.at(1))
        #expect(Self.describe(Self.drain(&machine, at: 1)) == ["continue"])
        machine.receive("ok".httpBytes[...], at: Self.at(1))
        #expect(Self.describe(Self.drain(&machine, at: 1)) == ["dispatch 1 PUT /u 2"])
        // Content already there: no 100.
        var eager = Machine(limits: HTTPParserLimits(), timeouts: Self.timeouts, now: Self.at(0))
        eager.receive("PUT /u HTTP/1.1\r\nHost: a\r\nExpect: 100-continue\r\nContent-Length: 2\r\n\r\nok".httpBytes[...], at: Self.at(1))
        #expect(Self.describe(Self.drain(&eager, at: 1)) == ["dispatch 1 PUT /u 2"])
        // Too large: 413 at once, no 100.
        var large = Machine(limits: HTTPParserLimits(maximumBodySize: 10), timeouts: Self.timeouts, now: Self.at(0))
        large.receive("PUT /u HTTP/1.1\r\nHost: a\r\nExpect: 100-continue\r\nContent-Length: 11\r\n\r\n".httpBytes[...], at: Self.at(1))
        #expect(Self.describe(Self.drain(&large, at: 1)) == ["send 413 close linger"])
        #expect(large.discardsInput)
    }

    @Test func malformedRequestsGetTheirStatusAndTheConnectionLingers() {
        var machine = Machine(limits: HTTPParserLimits(), timeouts: Self.timeouts, now: Self.at(0))
        machine.receive("GET / HTTP/1.1\r\nHost: a\r\nBad Header: x\r\n\r\n".httpBytes[...], at: Self.at(1))
        let actions = Self.drain(&machine, at: 1)
        #expect(Self.describe(actions) == ["send 400 close linger"])
        if case let .send(response, _, _)? = actions.first {
            #expect(String(decoding: response.body, as: UTF8.self) == "400 Bad Request: header field name is not a token\n")
        }
        #expect(machine.discardsInput)
        #expect(!machine.wantsInput)
        #expect(machine.deadline == Self.at(3))
        #expect(Self.describe(Self.fire(&machine, at: 3)) == ["close"])
    }

    @Test func aSlowHeadGets408() {
        var machine = Machine(limits: HTTPParserLimits(), timeouts: Self.timeouts, now: Self.at(0))
        machine.receive("GET / HTTP/1.1\r\nHo".httpBytes[...], at: Self.at(5))
        #expect(Self.drain(&machine, at: 5).isEmpty)
        #expect(machine.deadline == Self.at(15))
        #expect(Self.fire(&machine, at: 14).isEmpty)
        #expect(Self.describe(Self.fire(&machine, at: 15)) == ["send 408 close linger"])
    }

    @Test func aSlowBodyGets408() {
        var machine = Machine(limits: HTTPParserLimits(), timeouts: Self.timeouts, now: Self.at(0))
        machine.receive("POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 5\r\n\r\nab".httpBytes[...], at: Self.at(1))
        #expect(Self.drain(&machine, at: 1).isEmpty)
        #expect(Self.describe(Self.fire(&machine, at: 31)) == ["send 408 close linger"])
    }

    @Test func idleConnectionsCloseSilently() {
        var machine = Machine(limits: HTTPParserLimits(), timeouts: Self.timeouts, now: Self.at(0))
        #expect(Self.describe(Self.fire(&machine, at: 60)) == ["close"])
    }

    @Test func aSlowHandlerGets503AndItsLateAnswerIsIgnored() {
        var machine = Machine(limits: HTTPParserLimits(), timeouts: Self.timeouts, now: Self.at(0))
        machine.receive("GET / HTTP/1.1\r\nHost: a\r\n\r\n".httpBytes[...], at: Self.at(1))
        #expect(Self.describe(Self.drain(&machine, at: 1)) == ["dispatch 1 GET / 0"])
        #expect(Self.describe(Self.fire(&machine, at: 6)) == ["send 503 close linger"])
        #expect(Self.respond(&machine, .text(.ok, "late"), sequence: 1, at: 7) == false)
    }

    @Test func connectionCloseAndHTTP10EndTheConnection() {
        var machine = Machine(limits: HTTPParserLimits(), timeouts: Self.timeouts, now: Self.at(0))
        machine.receive("GET / HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\nGET /never HTTP/1.1\r\nHost: a\r\n\r\n".httpBytes[...], at: Self.at(1))
        #expect(Self.describe(Self.drain(&machine, at: 1)) == ["dispatch 1 GET / 0"])
        #expect(Self.respond(&machine, .text(.ok, ""), sequence: 1, at: 1))
        #expect(Self.describe(Self.drain(&machine, at: 1)) == ["send 200 close linger"])
        var old = Machine(limits: HTTPParserLimits(), timeouts: Self.timeouts, now: Self.at(0))
        old.receive("GET / HTTP/1.0\r\n\r\n".httpBytes[...], at: Self.at(1))
        _ = Self.drain(&old, at: 1)
        #expect(Self.respond(&old, .text(.ok, ""), sequence: 1, at: 1))
        #expect(Self.describe(Self.drain(&old, at: 1)) == ["send 200 close linger"])
        // A handler asking to close.
        var asked = Machine(limits: HTTPParserLimits(), timeouts: Self.timeouts, now: Self.at(0))
        asked.receive("GET / HTTP/1.1\r\nHost: a\r\n\r\n".httpBytes[...], at: Self.at(1))
        _ = Self.drain(&asked, at: 1)
        #expect(Self.respond(&asked, HTTPResponse(status: .ok, headers: ["Connection": "close"]), sequence: 1, at: 1))
        #expect(Self.describe(Self.drain(&asked, at: 1)) == ["send 200 close linger"])
    }

    @Test func halfClosedClientsStillGetEveryBufferedAnswer() {
        var machine = Machine(limits: HTTPParserLimits(), timeouts: Self.timeouts, now: Self.at(0))
        machine.receive("GET /1 HTTP/1.1\r\nHost: a\r\n\r\nGET /2 HTTP/1.1\r\nHost: a\r\n\r\n".httpBytes[...], at: Self.at(1))
        machine.receiveEndOfInput()
        #expect(Self.describe(Self.drain(&machine, at: 1)) == ["dispatch 1 GET /1 0"])
        #expect(Self.respond(&machine, .text(.ok, ""), sequence: 1, at: 1))
        #expect(Self.describe(Self.drain(&machine, at: 1)) == ["send 200", "dispatch 2 GET /2 0"])
        #expect(Self.respond(&machine, .text(.ok, ""), sequence: 2, at: 1))
        #expect(Self.describe(Self.drain(&machine, at: 1)) == ["send 200", "close"])
        // A truncated request after EOF gets 400 and a close (nothing left to linger for).
        var truncated = Machine(limits: HTTPParserLimits(), timeouts: Self.timeouts, now: Self.at(0))
        truncated.receive("GET / HTTP/1.1\r\nHo".httpBytes[...], at: Self.at(1))
        truncated.receiveEndOfInput()
        #expect(Self.describe(Self.drain(&truncated, at: 1)) == ["send 400 close linger", "close"])
    }

    @Test func shutdownClosesIdleConnectionsAndFinishesBusyOnes() {
        var idle = Machine(limits: HTTPParserLimits(), timeouts: Self.timeouts, now: Self.at(0))
        idle.beginShutdown()
        #expect(Self.describe(Self.drain(&idle, at: 1)) == ["close"])
        var busy = Machine(limits: HTTPParserLimits(), timeouts: Self.timeouts, now: Self.at(0))
        busy.receive("GET / HTTP/1.1\r\nHost: a\r\n\r\n".httpBytes[...], at: Self.at(1))
        _ = Self.drain(&busy, at: 1)
        busy.beginShutdown()
        #expect(Self.respond(&busy, .text(.ok, ""), sequence: 1, at: 1))
        #expect(Self.describe(Self.drain(&busy, at: 1)) == ["send 200 close linger"])
    }

    @Test func emptyLinesBetweenRequestsKeepTheConnectionIdle() {
        var machine = Machine(limits: HTTPParserLimits(), timeouts: Self.timeouts, now: Self.at(0))
        machine.receive("\r\n".httpBytes[...], at: Self.at(1))
        #expect(Self.drain(&machine, at: 1).isEmpty)
        #expect(machine.deadline == Self.at(61))
    }
}
