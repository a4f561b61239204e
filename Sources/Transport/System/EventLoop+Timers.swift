extension EventLoop {
    /// The loop clock's current time.
    public func now() -> MonotonicInstant { clock.now() }

    /// Runs `body` on the loop in the first turn whose clock reading is at or after `deadline`.
    /// Timers due in the same turn fire in deadline order, ties in scheduling order. Loop-confined.
    @discardableResult
    public func scheduleTimer(at deadline: MonotonicInstant, _ body: @escaping () -> Void) -> TimerID {
        preconditionConfined()
        return timers.schedule(at: deadline, body)
    }

    /// Runs `body` on the loop once `delay` has passed on the loop's clock. Loop-confined.
    @discardableResult
    public func scheduleTimer(after delay: Duration, _ body: @escaping () -> Void) -> TimerID {
        scheduleTimer(at: clock.now() + delay, body)
    }

    /// Cancels a timer; returns false if it already fired or was cancelled. Loop-confined.
    @discardableResult
    public func cancelTimer(_ timer: TimerID) -> Bool {
        preconditionConfined()
        return timers.cancel(timer) != nil
    }

    /// How many timers are scheduled. Loop-confined.
    public var scheduledTimerCount: Int {
        preconditionConfined()
        return timers.count
    }
}
