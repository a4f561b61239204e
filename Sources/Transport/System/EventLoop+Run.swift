import Glibc

extension EventLoop {
    /// Runs the loop on the calling thread until `stop()`, then shuts down: queued tasks run,
    /// every handler still registered is told (`IOHandler.eventLoopWillClose`) and its descriptor
    /// closed, timers are dropped, and the end-of-turn hooks run one final time.
    ///
    /// May be called once. Throws only if `epoll_wait` itself fails, after shutting down.
    public func run() throws(SystemError) {
        shared.withLock { state in
            guard case .notStarted = state.lifecycle else {
                preconditionFailure("EventLoop.run() may be called only once")
            }
            state.lifecycle = .running(pthread_self())
        }
        var failure: SystemError?
        while true {
            do {
                try runTurn()
            } catch {
                failure = error
                break
            }
            if shared.withLock({ $0.stopRequested }) { break }
        }
        shutDown()
        if let failure { throw failure }
    }

    /// Asks the loop to finish its current turn and shut down. Callable from any thread.
    public func stop() {
        shared.withLock { $0.stopRequested = true }
        wakeUp()
    }

    /// One wake-up: wait, dispatch descriptors, take the handed-in tasks, fire due timers, run
    /// the tasks, end the turn. The tasks are taken *before* the timers are checked, so a task
    /// handed in after a `ManualClock` moved runs only after a timer check that saw the move —
    /// `executeAndWait` after `advance` returns once every timer due by then has fired.
    func runTurn() throws(SystemError) {
        let ready = try Syscall.epollWait(epoll, into: eventBuffer, timeoutMilliseconds: nextTimeout())
        counters.turns += 1
        if let ready {
            for index in 0..<ready {
                dispatch(eventBuffer.events(at: index), tag: eventBuffer.data(at: index))
            }
        } else {
            counters.interruptedWaits += 1
        }
        let tasks = takeHandedInTasks()
        fireDueTimers()
        run(tasks)
        runEndOfTurnHooks()
    }

    /// Milliseconds `epoll_wait` may sleep: 0 with local work pending, until the next timer
    /// (rounded up so it is due on waking), or forever.
    func nextTimeout() -> Int32 {
        if !localTasks.isEmpty { return 0 }
        guard let deadline = timers.nextDeadline() else { return -1 }
        let now = clock.now()
        guard deadline > now else { return 0 }
        let nanoseconds = deadline.nanoseconds - now.nanoseconds
        let milliseconds = (nanoseconds + 999_999) / 1_000_000
        return Int32(clamping: milliseconds)
    }

    private func dispatch(_ mask: UInt32, tag: UInt64) {
        if tag == EventLoop.wakeTag {
            // Reset the counter; the tasks themselves are taken later in the turn.
            _ = try? Syscall.readCounter(wakeDescriptor)
            return
        }
        // A handler earlier in this batch may have removed this registration.
        guard let registration = registrations[tag] else { return }
        counters.eventsDispatched += 1
        registration.handler.handleIOEvents(IOEvents(epollMask: mask), for: registration.handle)
        runLocalTasks()
    }

    private func fireDueTimers() {
        guard !timers.isEmpty else { return }
        let now = clock.now()
        let mark = timers.schedulingMark
        while let (_, body) = timers.popDue(at: now, scheduledBefore: mark) {
            counters.timersFired += 1
            body()
            runLocalTasks()
        }
    }

    private func takeHandedInTasks() -> [@Sendable () -> Void] {
        shared.withLock { state -> [@Sendable () -> Void] in
            state.wakePending = false
            defer { state.tasks.removeAll() }
            return state.tasks
        }
    }

    private func run(_ tasks: [@Sendable () -> Void]) {
        for task in tasks {
            counters.tasksRun += 1
            task()
            runLocalTasks()
        }
    }

    private func runEndOfTurnHooks() {
        let hooks = endOfTurnHooks
        for hook in hooks where endOfTurnHooks.contains(where: { $0.id == hook.id }) {
            hook.body()
            runLocalTasks()
        }
    }

    /// Runs local tasks until none are left (tasks they enqueue run too).
    func runLocalTasks() {
        while !localTasks.isEmpty {
            let batch = localTasks
            localTasks.removeAll()
            for task in batch { task() }
        }
    }

    /// The final turn: no more tasks accepted, queued ones run, handlers told, descriptors closed.
    private func shutDown() {
        let tasks = shared.withLock { state -> [@Sendable () -> Void] in
            state.acceptingTasks = false
            defer { state.tasks.removeAll() }
            return state.tasks
        }
        counters.turns += 1
        for task in tasks {
            counters.tasksRun += 1
            task()
            runLocalTasks()
        }
        for tag in registrations.keys.sorted() {
            guard let registration = registrations[tag] else { continue }
            registration.handler.eventLoopWillClose(registration.handle)
            runLocalTasks()
        }
        for registration in registrations.values {
            deregister(registration.handle, closingDescriptor: true)
        }
        timers.removeAll()
        runEndOfTurnHooks()
        runLocalTasks()
        endOfTurnHooks.removeAll()
        shared.withLock { $0.lifecycle = .finished }
    }
}
