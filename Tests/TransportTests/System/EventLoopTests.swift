import Dispatch
import Glibc
import Testing
@testable import Transport

/// A loop-confined mutable log, reached from other threads only through `LoopBound`.
private final class Log<Element> {
    var entries: [Element] = []
}

@Suite("EventLoop")
struct EventLoopTests {
    @Test func executeFromManyThreadsRunsEveryTaskInOrderPerThread() throws {
        let thread = try EventLoopThread()
        defer { thread.stopAndJoin() }
        let loop = thread.loop
        let log = Recorded<LoopBound<Log<(Int, Int)>>?>(nil)
        loop.executeAndWait { log.update { $0 = LoopBound(Log(), on: loop) } }
        guard let bound = log.value else { Issue.record("no log"); return }
        SystemTestSupport.concurrently(8) { producer in
            for sequence in 0..<500 {
                loop.execute { bound.value.entries.append((producer, sequence)) }
            }
        }
        let entries = Recorded<[(Int, Int)]>([])
        loop.executeAndWait { entries.update { $0 = bound.value.entries } }
        #expect(entries.value.count == 4_000)
        for producer in 0..<8 {
            #expect(entries.value.filter { $0.0 == producer }.map(\.1) == Array(0..<500))
        }
    }

    @Test func executeAfterShutdownIsRefused() throws {
        let thread = try EventLoopThread()
        #expect(thread.loop.execute {})
        thread.stopAndJoin()
        #expect(thread.loop.execute {} == false)
        #expect(thread.loop.executeAndWait {} == false)
    }

    @Test func timersFireInOrderOnAVirtualClock() throws {
        let clock = ManualClock()
        let thread = try EventLoopThread(clock: clock)
        defer { thread.stopAndJoin() }
        let loop = thread.loop
        let fired = Recorded<[String]>([])
        loop.executeAndWait {
            for (name, milliseconds) in [("30", 30), ("10", 10), ("20a", 20), ("20b", 20), ("50", 50)] {
                loop.scheduleTimer(after: .milliseconds(milliseconds)) { fired.update { $0.append(name) } }
            }
            let cancelled = loop.scheduleTimer(after: .milliseconds(15)) { fired.update { $0.append("cancelled") } }
            loop.cancelTimer(cancelled)
            // A timer that schedules another for "now" must not run it in the same batch forever.
            loop.scheduleTimer(after: .milliseconds(25)) {
                loop.scheduleTimer(after: .zero) { fired.update { $0.append("chained") } }
            }
        }
        // The loop sleeps on real time for virtual deadlines; `executeAndWait` wakes it, and
        // its task runs after that turn's due timers.
        clock.advance(by: .milliseconds(9))
        loop.executeAndWait {}
        #expect(fired.value == [])
        clock.advance(by: .milliseconds(6))
        loop.executeAndWait {}
        #expect(fired.value == ["10"])
        clock.advance(by: .milliseconds(10))
        loop.executeAndWait {}
        #expect(fired.value.prefix(3) == ["10", "20a", "20b"])
        #expect(SystemTestSupport.waitUntil { fired.value.count == 4 })
        #expect(fired.value.last == "chained")
        clock.advance(by: .seconds(1))
        loop.executeAndWait {}
        #expect(fired.value == ["10", "20a", "20b", "chained", "30", "50"])
        let remaining = Recorded(-1)
        loop.executeAndWait { remaining.update { $0 = loop.scheduledTimerCount } }
        #expect(remaining.value == 0)
    }

    @Test func timersOnTheSystemClockFire() throws {
        let thread = try EventLoopThread()
        defer { thread.stopAndJoin() }
        let firedAt = Recorded<MonotonicInstant?>(nil)
        let start = SystemClock().now()
        let loop = thread.loop
        loop.execute {
            loop.scheduleTimer(after: .milliseconds(20)) { firedAt.update { $0 = SystemClock().now() } }
        }
        #expect(SystemTestSupport.waitUntil { firedAt.value != nil })
        if let firedAt = firedAt.value {
            #expect(firedAt - start >= .milliseconds(20))
        }
    }

    @Test func endOfTurnHookRunsOncePerWakeUpAfterTheWholeBatch() throws {
        let readsPerTurn = Recorded<[Int]>([])
        final class Counter { var reads = 0 }
        let counter = Counter()
        let hookCalls = Recorded(0)
        let server = try ServerFixture(makeHandler: { _, closes in
            final class CountingEcho: TCPConnectionDelegate {
                let counter: Counter
                let closes: Recorded<[CloseReason]>
                init(counter: Counter, closes: Recorded<[CloseReason]>) {
                    self.counter = counter
                    self.closes = closes
                }
                func connectionDidRead(_ connection: TCPConnection) {
                    counter.reads += 1
                    connection.write(connection.inputBytes)
                    connection.consumeInput(connection.inputBytes.count)
                }
                func connection(_ connection: TCPConnection, didCloseWith reason: CloseReason) {
                    closes.update { $0.append(reason) }
                }
            }
            return CountingEcho(counter: counter, closes: closes)
        }, setUp: { loop in
            loop.addEndOfTurnHook {
                hookCalls.update { $0 += 1 }
                readsPerTurn.update { $0.append(counter.reads) }
                counter.reads = 0
            }
        })
        let loop = server.loop
        let clients = try (0..<3).map { _ in try TCPClientSocket(connectingTo: server.address) }
        #expect(SystemTestSupport.waitUntil { server.accepted.value == 3 })
        // Hold the loop inside one task while all three clients send, so the next wake-up
        // finds three readable connections at once.
        let gate = DispatchSemaphore(value: 0)
        let entered = DispatchSemaphore(value: 0)
        loop.execute {
            entered.signal()
            gate.wait()
        }
        entered.wait()
        for client in clients { try client.send([42]) }
        usleep(20_000)
        gate.signal()
        for client in clients { #expect(try client.receive(exactly: 1) == [42]) }
        // The echo can arrive before that turn's hook has run; wait for the hook.
        #expect(SystemTestSupport.waitUntil { readsPerTurn.value.reduce(0, +) == 3 })
        #expect(readsPerTurn.value.contains(3), "per-turn reads: \(readsPerTurn.value)")
        for client in clients { client.close() }
        #expect(SystemTestSupport.waitUntil { server.closes.value.count == 3 })
        server.thread.stopAndJoin()
        // After shutdown the loop's state may be read from this thread.
        #expect(UInt64(hookCalls.value) == loop.statistics.turns)
    }

    @Test func shutdownClosesRegisteredConnectionsAndListeners() throws {
        let server = try ServerFixture()
        let client = try TCPClientSocket(connectingTo: server.address)
        try client.send("ping")
        #expect(try client.receive(exactly: 4) == Array("ping".utf8))
        server.thread.stopAndJoin()
        #expect(server.closes.value == [.eventLoopShutDown])
        #expect(try client.receiveUntilEndOfFile(timeout: .seconds(2)) == [])
        #expect(server.loop.registrationCount == 0)
        let error = #expect(throws: SystemError.self) {
            _ = try TCPClientSocket(connectingTo: server.address, timeout: .seconds(2))
        }
        #expect(error?.errno == .connectionRefused)
    }

    @Test func registeringAfterShutdownThrows() throws {
        let thread = try EventLoopThread()
        thread.stopAndJoin()
        final class Ignore: TCPListenerDelegate {
            func listener(_ listener: TCPListener, didAccept connection: TCPConnection) -> (any TCPConnectionDelegate)? { nil }
        }
        let error = #expect(throws: SystemError.self) {
            _ = try TCPListener(bindingTo: .loopbackIPv4(), on: thread.loop, delegate: Ignore())
        }
        #expect(error?.errno == .shutDown)
    }

    @Test func signalsInterruptingEpollWaitAreHarmless() throws {
        var action = sigaction()
        action.__sigaction_handler.sa_handler = { _ in }
        sigemptyset(&action.sa_mask)
        action.sa_flags = 0  // no SA_RESTART: epoll_wait returns EINTR
        sigaction(SIGUSR2, &action, nil)

        let server = try ServerFixture()
        let loop = server.loop
        let loopThread = Recorded<pthread_t>(0)
        loop.executeAndWait {
            // Threads inherit their creator's signal mask, and the test runner's worker threads
            // block signals; let this one through on the loop thread.
            var unblock = sigset_t()
            sigemptyset(&unblock)
            sigaddset(&unblock, SIGUSR2)
            pthread_sigmask(SIG_UNBLOCK, &unblock, nil)
            loopThread.update { $0 = pthread_self() }
        }
        let fired = Recorded(false)
        loop.executeAndWait {
            loop.scheduleTimer(after: .milliseconds(150)) { fired.update { $0 = true } }
        }
        let interrupted = Recorded<UInt64>(0)
        let sawInterruption = SystemTestSupport.waitUntil {
            pthread_kill(loopThread.value, SIGUSR2)
            usleep(2_000)
            loop.executeAndWait { interrupted.update { $0 = loop.statistics.interruptedWaits } }
            return interrupted.value > 0
        }
        #expect(sawInterruption)
        #expect(SystemTestSupport.waitUntil { fired.value })
        let client = try TCPClientSocket(connectingTo: server.address)
        try client.send("still alive")
        #expect(try client.receive(exactly: 11) == Array("still alive".utf8))
    }
}
