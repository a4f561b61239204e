/// What a connection tells its owner (the relay, an HTTP server). Every call happens on the
/// connection's loop thread.
///
/// Ordering: `connectionDidConnect` (outbound only) first; then any number of `connectionDidRead`,
/// `connectionDidBecomeWritable` and at most one `connectionDidReceiveEOF`; then exactly one
/// `connection(_:didCloseWith:)`, after which the connection forgets its delegate.
public protocol TCPConnectionDelegate: AnyObject {
    /// An outbound connection (`TCPConnection.connect`) is established. Default: nothing.
    func connectionDidConnect(_ connection: TCPConnection)

    /// New bytes were appended to `connection.inputBytes`. Consume what can be processed with
    /// `consumeInput(_:)`; unconsumed bytes stay and count against the input limit.
    func connectionDidRead(_ connection: TCPConnection)

    /// The peer shut down its sending side. Only with `Options.allowHalfClosure`; without it the
    /// connection closes itself after flushing. Default: `connection.close()`.
    func connectionDidReceiveEOF(_ connection: TCPConnection)

    /// Queued output fell to the low-water mark after having exceeded the high-water mark (the
    /// "can write" signal). Default: nothing.
    func connectionDidBecomeWritable(_ connection: TCPConnection)

    /// The connection is closed (its descriptor too) and why. Delivered as a local task right
    /// after the call that closed it, so it never re-enters the caller of `write` or `close`.
    func connection(_ connection: TCPConnection, didCloseWith reason: CloseReason)
}

extension TCPConnectionDelegate {
    /// Does nothing.
    public func connectionDidConnect(_ connection: TCPConnection) {}

    /// Closes the connection once queued output is flushed.
    public func connectionDidReceiveEOF(_ connection: TCPConnection) { connection.close() }

    /// Does nothing.
    public func connectionDidBecomeWritable(_ connection: TCPConnection) {}
}
