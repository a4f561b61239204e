/// A frame as the decoder yields it: the typed frame and its header's request id.
public struct DecodedFrame: Sendable, Equatable {
    /// The header's correlation id.
    public var requestID: RequestID
    /// The typed frame.
    public var frame: Frame

    /// Pairs a frame with its request id.
    public init(requestID: RequestID, frame: Frame) {
        self.requestID = requestID
        self.frame = frame
    }
}
