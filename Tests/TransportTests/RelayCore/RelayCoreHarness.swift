import Transport

/// A deterministic generator for the core's tokens and envelope ids.
struct TestGenerator: RandomNumberGenerator {
    var state: UInt64
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}

/// An admission policy that denies everything from one sender.
final class DenyingPolicy: AdmissionPolicy {
    let denied: PhoneNumber
    init(denied: PhoneNumber) { self.denied = denied }
    func admit(sender: PhoneNumber, recipient: PhoneNumber, category: MessageCategory, time: Int64) -> AdmissionDecision {
        sender == denied ? .deny(code: .admissionDenied, text: "tier exhausted") : .allow
    }
}

/// Drives a `RelayCore` directly: connections are numbers, frames go in, actions come out.
struct CoreHarness {
    var core: RelayCore<TestGenerator>
    var time: Int64 = 1_700_000_000_000
    var nextConnection: UInt64 = 1
    /// Every durable write so far, in order.
    var writes: [RelayWrite] = []

    init(
        snapshot: RelaySnapshot = RelaySnapshot(), limits: RelayLimits = RelayLimits(), policy: any AdmissionPolicy = AllowAllPolicy(),
        tokenHasher: TokenHasher = .testing
    ) {
        core = RelayCore(snapshot: snapshot, limits: limits, policy: policy, tokenHasher: tokenHasher, random: TestGenerator(state: 42))
    }

    /// Feeds `input`; returns the non-write actions and records the writes.
    mutating func feed(_ input: RelayInput) -> [RelayAction] {
        var actions: [RelayAction] = []
        core.handle(input, at: time, into: &actions)
        var others: [RelayAction] = []
        for action in actions {
            if case let .write(write) = action { writes.append(write) } else { others.append(action) }
        }
        return others
    }

    mutating func open() -> ConnectionID {
        let id = ConnectionID(rawValue: nextConnection)
        nextConnection += 1
        _ = feed(.opened(id))
        return id
    }

    mutating func frame(_ connection: ConnectionID, _ frame: Frame, requestID: RequestID = 1) -> [RelayAction] {
        feed(.frame(connection, DecodedFrame(requestID: requestID, frame: frame)))
    }

    /// Opens a connection and registers `phone`; returns the connection and its token.
    mutating func register(_ phone: PhoneNumber, device: UInt32 = 1) -> (ConnectionID, RelayToken) {
        let connection = open()
        let actions = frame(connection, .register(phone: phone, device: DeviceID(rawValue: device)!))
        for case let .send(_, .registered(token), _) in actions { return (connection, token) }
        fatalError("no registered frame in \(actions)")
    }
}

/// The frames sent to `connection`, in order.
func frames(_ actions: [RelayAction], to connection: ConnectionID) -> [Frame] {
    actions.compactMap { action in
        if case let .send(target, frame, _) = action, target == connection { return frame }
        return nil
    }
}

/// The envelopes delivered to `connection`.
func deliveries(_ actions: [RelayAction], to connection: ConnectionID) -> [DeliveredEnvelope] {
    frames(actions, to: connection).compactMap { if case let .deliver(envelope) = $0 { return envelope } else { return nil } }
}

func phone(_ text: String) -> PhoneNumber { PhoneNumber(text)! }

/// The code of the first frame in `frames` if it is an error.
func errorCode(_ frames: [Frame]) -> WireErrorCode? {
    if case let .error(code, _)? = frames.first { return code }
    return nil
}
