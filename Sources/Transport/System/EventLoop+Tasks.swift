import Dispatch

/// Identifies an end-of-turn hook so it can be removed.
public struct EndOfTurnHookID: Hashable, Sendable {
    let rawValue: UInt64
}

extension EventLoop {
    /// Hands `task` to the loop from any thread; it runs on the loop thread during the next turn
    /// (tasks run in submission order). Returns false, without running it, once the loop has
    /// begun shutting down; tasks accepted before that always run, at the latest during shutdown.
    @discardableResult
    public func execute(_ task: @escaping @Sendable () -> Void) -> Bool {
        let (accepted, mustSignal) = shared.withLock { state -> (Bool, Bool) in
            guard state.acceptingTasks else { return (false, false) }
            state.tasks.append(task)
            defer { state.wakePending = true }
            return (true, !state.wakePending)
        }
        if mustSignal { signalWakeDescriptor() }
        return accepted
    }

    /// Runs `task` on the loop and blocks the calling thread until it has run; returns false
    /// (without running it) if the loop is shutting down. Must not be called on the loop thread,
    /// and blocks until `run()` starts if it has not yet.
    @discardableResult
    public func executeAndWait(_ task: @escaping @Sendable () -> Void) -> Bool {
        precondition(!inEventLoop, "executeAndWait on the loop thread would deadlock")
        let done = DispatchSemaphore(value: 0)
        guard execute({ task(); done.signal() }) else { return false }
        done.wait()
        return true
    }

    /// Wakes the loop from `epoll_wait` so it starts a turn (e.g. after a `ManualClock` moved).
    /// Callable from any thread.
    public func wakeUp() {
        let mustSignal = shared.withLock { state -> Bool in
            defer { state.wakePending = true }
            return !state.wakePending
        }
        if mustSignal { signalWakeDescriptor() }
    }

    private func signalWakeDescriptor() {
        // Only `wouldBlock` (counter saturated, so already readable) or programmer errors can
        // happen here; either way the loop is or will be woken.
        _ = try? Syscall.signalEventFD(wakeDescriptor)
    }

    /// Runs `task` on the loop right after the current callback (handler, timer, task or hook)
    /// returns, still within this turn; before `run()`, at the start of the first turn. Use it to
    /// report events to code that may be on the call stack (re-entrancy). Loop-confined.
    public func enqueueLocalTask(_ task: @escaping () -> Void) {
        preconditionConfined()
        localTasks.append(task)
    }

    /// Adds a hook the loop calls once at the end of every turn, after all descriptor events,
    /// timers and tasks of that wake-up and before sleeping again — where the relay commits the
    /// turn's batch. Hooks run in the order added. Loop-confined.
    @discardableResult
    public func addEndOfTurnHook(_ body: @escaping () -> Void) -> EndOfTurnHookID {
        preconditionConfined()
        let id = nextHookID
        nextHookID += 1
        endOfTurnHooks.append((id, body))
        return EndOfTurnHookID(rawValue: id)
    }

    /// Removes an end-of-turn hook. Loop-confined.
    public func removeEndOfTurnHook(_ hook: EndOfTurnHookID) {
        preconditionConfined()
        endOfTurnHooks.removeAll { $0.id == hook.rawValue }
    }
}
