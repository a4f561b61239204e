extension TCPConnection {
    /// Keeps one timer armed at or before the flow's next deadline. Deadlines only move later as
    /// activity happens, so the timer is re-armed lazily when it fires; it is replaced only when
    /// a deadline moves earlier (output starts waiting and the stall clock starts).
    func scheduleTimeoutIfNeeded() {
        guard isOpenForIO, let deadline = flow.nextDeadline else { return }
        if let timer = timeoutTimer {
            if timer.deadline <= deadline { return }
            loop.cancelTimer(timer.id)
        }
        let id = loop.scheduleTimer(at: deadline) { [weak self] in self?.timeoutTimerFired() }
        timeoutTimer = (id, deadline)
    }

    private func timeoutTimerFired() {
        timeoutTimer = nil
        guard isOpenForIO else { return }
        if let reason = flow.expiredTimeout(at: loop.now()) {
            finish(reason, reset: reason.isCutOff)
        } else {
            scheduleTimeoutIfNeeded()
        }
    }
}
