extension TCPConnection {
    /// Limits and socket settings for a connection.
    public struct Options: Sendable, Hashable {
        /// The most unconsumed input held; when full the connection stops reading (the kernel's
        /// buffers then fill and TCP flow control slows the peer) until `consumeInput` frees room.
        public var inputLimit: Int
        /// The most output queued beyond what the kernel accepted; a write that leaves more
        /// queued cuts the connection off (`CloseReason.outputLimitExceeded`).
        public var outputLimit: Int
        /// Above this much queued output the connection reports `isWritable == false`.
        public var outputHighWaterMark: Int
        /// At or below this much queued output it becomes writable again and tells its delegate.
        public var outputLowWaterMark: Int
        /// How long queued output may make no progress before the connection is cut off
        /// (`CloseReason.writeStalled`); nil: no limit. Also bounds a graceful `close()`.
        public var writeStallTimeout: Duration?
        /// How long a connection may read and write nothing before it is closed
        /// (`CloseReason.idleTimeout`); nil: no limit.
        public var idleTimeout: Duration?
        /// false: end of file from the peer closes the connection once output is flushed.
        /// true: the delegate hears `connectionDidReceiveEOF` and may keep writing.
        public var allowHalfClosure: Bool
        /// `TCP_NODELAY`.
        public var noDelay: Bool
        /// `SO_SNDBUF` in bytes; nil keeps the kernel's (auto-tuned) default.
        public var sendBufferSize: Int?
        /// `SO_RCVBUF` in bytes; nil keeps the kernel's (auto-tuned) default.
        public var receiveBufferSize: Int?

        /// Options with the given values; the defaults suit a relay connection.
        public init(
            inputLimit: Int = 64 * 1024,
            outputLimit: Int = 4 * 1024 * 1024,
            outputHighWaterMark: Int = 256 * 1024,
            outputLowWaterMark: Int = 64 * 1024,
            writeStallTimeout: Duration? = .seconds(30),
            idleTimeout: Duration? = nil,
            allowHalfClosure: Bool = false,
            noDelay: Bool = true,
            sendBufferSize: Int? = nil,
            receiveBufferSize: Int? = nil
        ) {
            precondition(inputLimit > 0, "inputLimit must be positive")
            precondition(outputLimit >= 0, "outputLimit must not be negative")
            precondition(
                0 <= outputLowWaterMark && outputLowWaterMark <= outputHighWaterMark,
                "need 0 <= outputLowWaterMark <= outputHighWaterMark")
            self.inputLimit = inputLimit
            self.outputLimit = outputLimit
            self.outputHighWaterMark = outputHighWaterMark
            self.outputLowWaterMark = outputLowWaterMark
            self.writeStallTimeout = writeStallTimeout
            self.idleTimeout = idleTimeout
            self.allowHalfClosure = allowHalfClosure
            self.noDelay = noDelay
            self.sendBufferSize = sendBufferSize
            self.receiveBufferSize = receiveBufferSize
        }

        /// The limits the pure flow-control state machine enforces.
        var flowLimits: ConnectionFlow.Limits {
            ConnectionFlow.Limits(
                inputLimit: inputLimit, outputLimit: outputLimit,
                highWaterMark: outputHighWaterMark, lowWaterMark: outputLowWaterMark,
                idleTimeout: idleTimeout, writeStallTimeout: writeStallTimeout)
        }
    }
}
