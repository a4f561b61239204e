extension TCPConnection: IOHandler {
    /// Readiness from the loop: finish connecting, read, flush, or fail.
    public func handleIOEvents(_ events: IOEvents, for registration: IORegistration) {
        switch state {
        case .connecting:
            finishConnecting(events)
        case .open, .closing:
            handleReadiness(events)
        case .closed:
            return
        }
    }

    /// The loop is shutting down.
    public func eventLoopWillClose(_ registration: IORegistration) {
        finish(.eventLoopShutDown, reset: false)
    }

    private func handleReadiness(_ events: IOEvents) {
        if events.contains(.error) {
            failFromPendingSocketError()
            return
        }
        if events.contains(.writable) {
            flow.socketBecameWritable()
        }
        let readable = !events.isDisjoint(with: [.readable, .hangup, .readHangup])
        if readable && state == .open && flow.wantsRead {
            readAvailableInput()
        } else if readable && state == .closing && !peerSentEOF {
            discardAvailableInput()
        }
        if flow.shouldSend && isOpenForIO {
            flushOutput()
        }
        refreshInterest()
        scheduleTimeoutIfNeeded()
    }

    var isOpenForIO: Bool {
        switch state {
        case .open, .closing: return true
        case .connecting, .closed: return false
        }
    }

    /// Reads until the kernel has no more, the input buffer is full, or a few reads have been
    /// made (fairness: level-triggered epoll reports the rest next turn).
    private func readAvailableInput() {
        var reads = 0
        while state == .open && flow.wantsRead && reads < 4 {
            reads += 1
            let capacity = min(flow.readCapacity, loop.readBuffer.count)
            let target = UnsafeMutableRawBufferPointer(rebasing: loop.readBuffer[0..<capacity])
            // The time of the read is taken before the call: a peer may act on what the call
            // does (and a test move a manual clock) before this thread reads the clock again.
            let now = loop.now()
            let result: IOResult<Int>
            do {
                result = try Syscall.read(descriptor, into: target)
            } catch {
                fail(error)
                return
            }
            switch result {
            case .wouldBlock:
                return
            case .processed(0):
                reachedEndOfInput()
                return
            case let .processed(count):
                input.append(UnsafeRawBufferPointer(rebasing: target[0..<count]))
                flow.didRead(count, at: now)
                delegate?.connectionDidRead(self)
                // A short read means the kernel's buffer is (very likely) drained.
                if count < capacity { return }
            }
        }
    }

    /// While closing: reads and drops input, so that closing with unread data in the kernel does
    /// not turn the final FIN into an RST that could destroy the reply just flushed.
    func discardAvailableInput() {
        for _ in 0..<4 {
            let result: IOResult<Int>
            do {
                result = try Syscall.read(descriptor, into: loop.readBuffer)
            } catch {
                fail(error)
                return
            }
            switch result {
            case .wouldBlock:
                return
            case .processed(0):
                peerSentEOF = true
                return
            case let .processed(count):
                if count < loop.readBuffer.count { return }
            }
        }
    }

    private func reachedEndOfInput() {
        peerSentEOF = true
        flow.closeInput()
        if options.allowHalfClosure {
            delegate?.connectionDidReceiveEOF(self)
        } else {
            beginClose(.peerClosed)
        }
    }

    /// Hands queued output to the kernel until it is empty or the kernel's buffer is full.
    func flushOutput() {
        var becameWritable = false
        while flow.shouldSend {
            let attempted = output.count
            // Before the call, for the same reason as in reads: the peer may see the bytes first.
            let now = loop.now()
            let result = output.withReadableBytes { bytes -> Result<IOResult<Int>, SystemError> in
                do throws(SystemError) {
                    return .success(try Syscall.send(descriptor, from: bytes))
                } catch {
                    return .failure(error)
                }
            }
            switch result {
            case let .success(.processed(sent)):
                output.consume(sent)
                if flow.didSend(sent, of: attempted, at: now) { becameWritable = true }
            case .success(.wouldBlock):
                if flow.didSend(0, of: attempted, at: now) { becameWritable = true }
            case let .failure(error):
                fail(error)
                return
            }
        }
        if becameWritable {
            loop.enqueueLocalTask { [self] in
                if isOpenForIO { delegate?.connectionDidBecomeWritable(self) }
            }
        }
        if output.isEmpty { outputDrained() }
    }

    private func outputDrained() {
        if state == .closing {
            finish(pendingCloseReason, reset: false)
        } else if outputShutdown == .requested {
            finishOutputShutdown()
        }
    }

    func finishOutputShutdown() {
        outputShutdown = .done
        do {
            try Syscall.shutdown(descriptor, .write)
        } catch {
            fail(error)
        }
    }

    private func failFromPendingSocketError() {
        do {
            let pending = try Syscall.pendingSocketError(descriptor)
            fail(SystemError(call: "SO_ERROR", errno: pending ?? .connectionReset))
        } catch {
            fail(error)
        }
    }

    /// Brings the epoll interest in line with the flow state.
    func refreshInterest() {
        guard let registration else { return }
        let wanted: IOInterest
        switch state {
        case .connecting: wanted = .write
        case .open: wanted = flow.interest(reading: true)
        case .closing:
            var interest = flow.interest(reading: false)
            if !peerSentEOF { interest.insert(.read) }
            wanted = interest
        case .closed: return
        }
        guard wanted != currentInterest else { return }
        do {
            try loop.setInterest(wanted, for: registration)
            currentInterest = wanted
        } catch {
            fail(error)
        }
    }
}
