/// Carries a loop-confined value (a connection, a listener, relay state) through `Sendable`
/// closures such as `EventLoop.execute`, checking on every access that it is on its loop.
///
/// `@unchecked Sendable` is sound because `value` is reachable only through the accessor, which
/// traps unless the caller may touch the loop's confined state (see `EventLoop`), so the value is
/// never used by two threads at once.
public struct LoopBound<Value>: @unchecked Sendable {
    /// The loop the value belongs to.
    public let loop: EventLoop
    private let wrapped: Value

    /// Binds `value` to `loop`. Must be called where `value` may be used (on the loop).
    public init(_ value: Value, on loop: EventLoop) {
        loop.preconditionConfined()
        self.loop = loop
        self.wrapped = value
    }

    /// The value; traps off the loop thread.
    public var value: Value {
        loop.preconditionConfined()
        return wrapped
    }
}
