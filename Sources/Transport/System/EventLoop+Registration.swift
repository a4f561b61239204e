extension EventLoop {
    /// Registers `descriptor` with `interest`; `handler` is called with its readiness until
    /// `deregister`. The loop holds `handler` strongly while registered. Loop-confined.
    ///
    /// Interest is level-triggered; an empty interest keeps the registration but removes the
    /// descriptor from epoll, so not even hang-ups are reported until interest returns.
    /// Throws `ESHUTDOWN` (call `epoll_ctl`) once the loop has finished.
    public func register(
        _ descriptor: FileDescriptor, interest: IOInterest, handler: any IOHandler
    ) throws(SystemError) -> IORegistration {
        if preconditionConfined() { throw SystemError(call: "epoll_ctl", errno: .shutDown) }
        let tag = nextRegistrationID
        nextRegistrationID += 1
        let handle = IORegistration(id: tag, descriptor: descriptor)
        if !interest.isEmpty {
            try Syscall.epollControl(epoll, .add, descriptor, events: interest.epollMask, data: tag)
        }
        registrations[tag] = Registration(handle: handle, interest: interest, handler: handler)
        return handle
    }

    /// Changes what a registration wants to hear about. Loop-confined; a no-op for a
    /// registration that has been removed.
    public func setInterest(_ interest: IOInterest, for registration: IORegistration) throws(SystemError) {
        preconditionConfined()
        guard var entry = registrations[registration.id], entry.interest != interest else { return }
        let descriptor = registration.descriptor
        switch (entry.interest.isEmpty, interest.isEmpty) {
        case (true, false):
            try Syscall.epollControl(epoll, .add, descriptor, events: interest.epollMask, data: registration.id)
        case (false, true):
            try Syscall.epollControl(epoll, .delete, descriptor, events: 0, data: 0)
        default:
            try Syscall.epollControl(epoll, .modify, descriptor, events: interest.epollMask, data: registration.id)
        }
        entry.interest = interest
        registrations[registration.id] = entry
    }

    /// The current interest of a registration, or nil if it is not registered. Loop-confined.
    public func interest(of registration: IORegistration) -> IOInterest? {
        preconditionConfined()
        return registrations[registration.id]?.interest
    }

    /// Removes a registration (events already collected for it this turn are dropped) and, if
    /// asked, closes its descriptor. Loop-confined; a no-op for an unknown registration.
    public func deregister(_ registration: IORegistration, closingDescriptor: Bool) {
        preconditionConfined()
        guard let entry = registrations.removeValue(forKey: registration.id) else { return }
        if !entry.interest.isEmpty {
            // Cannot fail for a registered descriptor except through programmer error.
            try? Syscall.epollControl(epoll, .delete, registration.descriptor, events: 0, data: 0)
        }
        if closingDescriptor {
            try? Syscall.close(registration.descriptor)
        }
    }

    /// How many descriptors are registered. Loop-confined.
    public var registrationCount: Int {
        preconditionConfined()
        return registrations.count
    }
}
