import HTTP1

/// Told of every request the server answers, for metrics and access logs.
/// Runs on the loop, on the request path: count and copy, nothing slower.
public protocol HTTPServerObserver: AnyObject {
    /// A request's head arrived; what this returns comes back with its answer.
    func requestBegan(_ head: RequestHead, from peer: String) -> ObservedRequest
    /// An answer was queued. `request` is nil for a head that never parsed
    /// (400, 408, 431...). `bodyBytesSent` is the body's length (0 for HEAD),
    /// nil when a producer did not know it: its pieces come by
    /// `producedBodyBytes` then.
    func answered(_ request: ObservedRequest?, status: Int, bodyBytesReceived: Int, bodyBytesSent: Int?)
    /// Bytes of a produced body of unknown length, as each piece is queued.
    func producedBodyBytes(_ count: Int)
}

/// What an observer keeps of a request until its answer: plain values, so
/// the connection holds it without reference counting.
public struct ObservedRequest: Sendable {
    /// The observer's own number for the request's labels (method and
    /// route, say): an integer, so keeping it costs no reference count.
    public var labels: Int
    /// Monotonic seconds at the head's arrival.
    public var startedAt: Double

    public init(labels: Int, startedAt: Double) {
        self.labels = labels
        self.startedAt = startedAt
    }
}
