extension IntegrityEvent {
    /// The event as one line of the schema (without the newline), with keys in the order the
    /// relay tap writes them: `t`, `kind`, `business`, `user`, then the kind's own fields.
    ///
    /// ``EventLineParser`` reads it back to an equal value, so simulators and tests can write
    /// event files with it.
    public var jsonLine: String {
        var line = #"{"t":\#(time),"kind":"\#(kind.name)","business":"\#(business)","user":"\#(user)""#
        switch kind {
        case let .message(direction, bytes, category):
            line += #","dir":"\#(direction)","bytes":\#(bytes)"#
            if let category { line += #","category":"\#(category)""# }
        case .delivered, .read:
            break
        case let .block(reason):
            line += #","reason":"\#(reason)""#
        case let .report(reason):
            line += #","reason":"\#(reason)""#
        }
        return line + "}"
    }
}
