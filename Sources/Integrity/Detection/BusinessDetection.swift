import Transport

/// The detectors' state for one business (about 300 bytes, inline: no heap): its own counters,
/// the analyzer's figures as of its latest event, and one ``AlertLifecycle`` per
/// ``DetectorAlert``. Counters move on every event (O(1)); conditions and lifecycles are
/// evaluated at most once per `evaluation_interval_ms` of the business's event time, and on the
/// engine's sweeps while an alert is open.
struct BusinessDetection: Sendable {
    let business: PhoneNumber
    var firstSeen: Int64
    var lastSeen: Int64
    var nextEvaluation: Int64 = .min
    /// The latest evaluation time (`Int64.min`: never).
    var evaluatedAt: Int64 = .min
    /// The analyzer's figures as of `lastSeen`.
    var rating = QualityRating.unknown
    var messagingLimitUsers: Int?
    var businessInitiated24h = 0.0
    /// Whether the engine's sweep list holds this business (some lifecycle is not inactive).
    var watched = false

    var velocity = VelocityDetector()
    var coldFanOut = ColdFanOutDetector()
    var feedback = FeedbackDetector()
    var unproven = UnprovenFeedbackDetector()
    var lifecycles = InlineArray<10, AlertLifecycle>(repeating: AlertLifecycle())

    init(business: PhoneNumber, firstSeen: Int64) {
        precondition(DetectorAlert.allCases.count == 10, "one lifecycle per DetectorAlert")
        self.business = business
        self.firstSeen = firstSeen
        lastSeen = firstSeen
    }

    /// Whether events arrived since the latest evaluation.
    var hasUnevaluatedEvents: Bool { lastSeen > evaluatedAt }

    /// Whether some alert of the business is pending or firing.
    var hasOpenAlerts: Bool {
        for index in lifecycles.indices where lifecycles[index].phase != .inactive { return true }
        return false
    }

    /// Folds one applied event into the counters.
    @inline(__always)
    mutating func record(_ event: PseudonymizedEvent, outcome: EventOutcome, counters: LiveCounters, parameters: DetectionParameters) {
        let time = event.time
        if time > lastSeen { lastSeen = time }
        firstSeen = min(firstSeen, counters.firstSeen)
        rating = counters.qualityRating
        messagingLimitUsers = counters.messagingLimitUsers
        businessInitiated24h = counters.businessInitiated24h
        switch event.kind {
        case let .message(.businessToUser, _, category):
            let cold = outcome.coldRecipient == true
            // A one-time passcode (authentication) answers a request the user made on the
            // business's own site or app: a burst of them from a new number is a launch, not a
            // blast to strangers. It still counts in the burst and in cold fan-out.
            velocity.recordMessage(cold: cold && category != .authentication, at: time, parameters: parameters)
            if cold { coldFanOut.recordColdMessage(at: time, parameters: parameters) }
        case .delivered:
            if outcome.sampled { feedback.recordDelivery(at: time, parameters: parameters) }
        case .block, .report:
            switch outcome.feedback {
            case .counted: feedback.recordCountedFeedback(at: time, parameters: parameters)
            case .withoutProofOfContact: unproven.record(at: time, parameters: parameters)
            case .duplicate, .notSampled, nil: break
            }
        case .message(.userToBusiness, _, _), .read:
            break
        }
    }

    /// Evaluates every detector at `time` and steps the lifecycles, appending the transitions.
    mutating func evaluate(at time: Int64, population: Double, parameters: DetectionParameters, into alerts: inout [Alert]) {
        nextEvaluation = time + parameters.evaluationInterval
        evaluatedAt = time
        let inputs = DetectionInputs(
            time: time, age: time - firstSeen, rating: rating,
            businessInitiated24h: time - lastSeen < 86_400_000 ? businessInitiated24h : 0,
            messagingLimitUsers: messagingLimitUsers, population: population)
        let burst = velocity.evaluate(inputs, parameters: parameters)
        let mass = MassMessagingDetector.evaluate(inputs, parameters: parameters)
        let cold = coldFanOut.evaluate(inputs, parameters: parameters)
        let negative = feedback.evaluate(at: time, parameters: parameters)
        step(.velocityCritical, burst.critical, time, parameters, &alerts)
        step(.velocityWarning, burst.warning, time, parameters, &alerts)
        step(.massTierWarning, mass.tier, time, parameters, &alerts)
        step(.massPopulationWarning, mass.populationWarning, time, parameters, &alerts)
        step(.massPopulationCritical, mass.populationCritical, time, parameters, &alerts)
        step(.coldFanOutCritical, cold.critical, time, parameters, &alerts)
        step(.coldFanOutWarning, cold.warning, time, parameters, &alerts)
        step(.feedbackCritical, negative.critical, time, parameters, &alerts)
        step(.feedbackWarning, negative.warning, time, parameters, &alerts)
        step(.unprovenFeedbackWarning, unproven.evaluate(at: time, parameters: parameters), time, parameters, &alerts)
    }

    /// Resolves every firing alert at `time` (the end of a replay), appending the transitions.
    mutating func resolveAll(at time: Int64, into alerts: inout [Alert]) {
        for kind in DetectorAlert.allCases {
            emit(kind, lifecycles[kind.rawValue].forceResolve(at: time), value: 0, time: time, into: &alerts)
        }
    }

    @inline(__always)
    private mutating func step(_ kind: DetectorAlert, _ condition: AlertCondition, _ time: Int64,
                               _ parameters: DetectionParameters, _ alerts: inout [Alert]) {
        // The common case — inactive and nothing breaching — touches nothing.
        if lifecycles[kind.rawValue].phase == .inactive && !condition.breaching { return }
        let action = lifecycles[kind.rawValue].evaluate(
            breaching: condition.breaching, holding: condition.holding, at: time,
            pendingFor: parameters.pendingFor(kind), resolveAfter: parameters.resolveAfter)
        emit(kind, action, value: condition.value, time: time, into: &alerts)
    }

    private func emit(_ kind: DetectorAlert, _ action: AlertLifecycle.Action, value: Double, time: Int64, into alerts: inout [Alert]) {
        switch action {
        case .none:
            return
        case let .fire(startsAt):
            alerts.append(Alert(name: kind.name, business: business, severity: kind.severity, status: .firing, time: time,
                                startsAt: startsAt, summary: kind.summary(value), value: value, labels: kind.labels))
        case let .resolve(startsAt, endsAt):
            alerts.append(Alert(name: kind.name, business: business, severity: kind.severity, status: .resolved, time: time,
                                startsAt: startsAt, endsAt: endsAt, summary: kind.summary(value), value: value, labels: kind.labels))
        }
    }
}
