extension Rules {
    /// `detection` — the detectors behind the alerts (docs/detection.md gives the reasoning for
    /// every default). Each detector raises `warning` alerts (worth a look) and, where it has
    /// evidence an operator should act on, `critical` ones; honest traffic, however large or
    /// bursty, must not raise a critical alert.
    ///
    /// Every alert has a lifecycle: the condition must hold for `for_seconds` (pending → firing),
    /// and a firing alert resolves only after its value has stayed below the lower (hysteresis)
    /// threshold for `resolve_after_seconds`.
    public struct Detection: Sendable, Hashable {
        /// `evaluation_interval_ms`: a business's detectors are evaluated at most this often on
        /// its event time (counters are updated on every event) (default 1 000).
        public var evaluationIntervalMilliseconds = 1000
        /// `hysteresis`: a firing alert keeps firing while its value is at least this share of the
        /// firing threshold (default 0.5).
        public var hysteresis = 0.5
        /// `for_seconds`: how long a condition must hold before its alert fires (default 30).
        public var forSeconds = 30.0
        /// `resolve_after_seconds`: how long a value must stay under the hysteresis threshold
        /// before a firing alert resolves (default 900).
        public var resolveAfterSeconds = 900.0
        /// Velocity: the WhatsApp pattern of a freshly registered number bursting to strangers.
        public var velocity = Velocity()
        /// Mass messaging: business-initiated reach against the tier and the population.
        public var massMessaging = MassMessaging()
        /// Cold fan-out: many recipients who never contacted the business.
        public var coldFanOut = ColdFanOut()
        /// Negative feedback (blocks and reports with proof of contact) against the business's
        /// own baseline.
        public var feedback = Feedback()
        /// Blocks and reports from users the business never reached (report bombing).
        public var unprovenFeedback = UnprovenFeedback()

        /// The defaults.
        public init() {}

        /// `velocity`: business-to-user messages in the last 15 seconds.
        public struct Velocity: Sendable, Hashable {
            /// `burst_messages`: messages in 15 s that make a burst (default 100, the WhatsApp
            /// example: "100 messages in 15 seconds").
            public var burstMessages = 100
            /// `cold_share`: share of the burst's messages to users who never wrote (default 0.8).
            public var coldShare = 0.8
            /// `young_number_minutes`: a burst from a number first seen this recently is critical;
            /// from an older number, a warning (default 60).
            public var youngNumberMinutes = 60.0
            /// `for_seconds`: the burst's own `for` (default 0: the 15-second window already is the
            /// persistence, and a blast from a new number can be over in 20 seconds).
            public var forSeconds = 0.0
            /// The defaults.
            public init() {}
        }

        /// `mass_messaging`: business-initiated users over 24 h.
        public struct MassMessaging: Sendable, Hashable {
            /// `tier_usage`: warning at this multiple of the tier's limit (default 1: the relay
            /// refuses beyond it, so a replay over it shows traffic that bypassed admission).
            public var tierUsage = 1.0
            /// `population_share_warning`: warning when the business initiated to this share of
            /// the users active on the platform in 24 h (default 0.1).
            public var populationShareWarning = 0.1
            /// `population_share_critical`: critical at this share — "a business trying to message
            /// all users" (default 0.5).
            public var populationShareCritical = 0.5
            /// `minimum_population`: population shares are judged only once this many users were
            /// active in 24 h (default 10 000).
            public var minimumPopulation = 10_000
            /// The defaults.
            public init() {}
        }

        /// `cold_fan_out`: business messages to users who never wrote to it, over a window.
        public struct ColdFanOut: Sendable, Hashable {
            /// `window_minutes`: the window (default 1 440: a day, so that a spammer pacing itself
            /// under per-minute limits still adds up).
            public var windowMinutes = 1440.0
            /// `cold_messages`: cold messages in the window that raise a warning (default 50:
            /// "dozens of recipients who never contacted the business").
            public var coldMessages = 50
            /// The defaults (critical when the number's quality rating is already YELLOW or RED:
            /// cold fan-out is judged on the sender's history).
            public init() {}
        }

        /// `feedback`: counted blocks and reports per delivered message, decayed.
        public struct Feedback: Sendable, Hashable {
            /// `window_hours`: time constant of the recent rate (default 6).
            public var windowHours = 6.0
            /// `baseline_days`: time constant of the business's own baseline (default 7).
            public var baselineDays = 7.0
            /// `rate_floor`: the rate never needs to be lower than this to alert (default 0.02).
            public var rateFloor = 0.02
            /// `baseline_factor`: the recent rate must reach this multiple of the baseline
            /// (default 3).
            public var baselineFactor = 3.0
            /// `baseline_cap`: the baseline counted at most this high, so persistent abuse never
            /// becomes its own normal (default 0.01).
            public var baselineCap = 0.01
            /// `minimum_warning`: counted feedback needed for a warning (default 3).
            public var minimumWarning = 3
            /// `minimum_critical`: counted feedback needed for a critical alert (default 10).
            public var minimumCritical = 10
            /// `confidence_z`: a critical alert needs the Wilson lower bound of the rate at this z
            /// above the threshold (default 1.96, 95 % two-sided).
            public var confidenceZ = 1.96
            /// The defaults.
            public init() {}
        }

        /// `unproven_feedback`: blocks and reports without proof of contact (never counted for
        /// the rating; a warning that the business is being report-bombed).
        public struct UnprovenFeedback: Sendable, Hashable {
            /// `window_minutes` (default 60).
            public var windowMinutes = 60.0
            /// `events`: sampled unproven blocks and reports in the window for a warning (default 20).
            public var events = 20
            /// The defaults.
            public init() {}
        }
    }
}
