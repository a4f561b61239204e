extension TCPConnection {
    /// Starts a graceful close: no more input is delivered; close once output is flushed.
    func beginClose(_ reason: CloseReason) {
        switch state {
        case .connecting:
            finish(reason, reset: false)
        case .open:
            state = .closing
            pendingCloseReason = reason
            flow.closeInput()
            if output.isEmpty {
                if !peerSentEOF { discardAvailableInput() }
                finish(reason, reset: false)
            } else {
                refreshInterest()
                scheduleTimeoutIfNeeded()
            }
        case .closing, .closed:
            return
        }
    }

    /// Closes now: deregisters and closes the descriptor, drops buffers and timers, and reports
    /// `reason` to the delegate as a local task. With `reset`, unsent data is discarded and the
    /// peer gets an RST instead of lingering in the kernel.
    func finish(_ reason: CloseReason, reset: Bool) {
        if case .closed = state { return }
        state = .closed(reason)
        if reset { try? Syscall.setLingerZero(descriptor) }
        if let timer = timeoutTimer { loop.cancelTimer(timer.id) }
        if let timer = connectTimer { loop.cancelTimer(timer) }
        timeoutTimer = nil
        connectTimer = nil
        if let registration { loop.deregister(registration, closingDescriptor: true) }
        registration = nil
        currentInterest = []
        input.removeAll()
        output.removeAll()
        flow.discardOutput()
        flow.closeInput()
        guard let delegate else { return }
        self.delegate = nil
        loop.enqueueLocalTask { [self] in
            delegate.connection(self, didCloseWith: reason)
        }
    }

    /// Closes for a failed socket call.
    func fail(_ error: SystemError) {
        switch error.errno {
        case .connectionReset, .brokenPipe:
            finish(.reset, reset: false)
        default:
            finish(.failed(error), reset: false)
        }
    }
}
