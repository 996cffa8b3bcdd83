import HTTP1

/// Told of every request the server answers, for metrics and access logs.
/// Runs on the loop, on the request path: count and copy, nothing slower.
public protocol HTTPServerObserver: AnyObject {
    /// A request's head arrived; what this returns comes back with its answer.
    func requestBegan(_ head: RequestHead, from peer: String) -> ObservedRequest
    /// An answer was queued. `request` is nil for a head that never parsed
    /// (400, 408, 431...) unless `headFailed` noted one. `bodyBytesSent` is
    /// the body's length (0 for HEAD), nil when a producer did not know it:
    /// its pieces come by `producedBodyBytes` then.
    func answered(_ request: ObservedRequest?, status: Int, bodyBytesReceived: Int, bodyBytesSent: Int?)
    /// Bytes of a produced body of unknown length, as each piece is queued.
    func producedBodyBytes(_ count: Int)
    /// A head from `peer` did not parse and is about to be answered (400,
    /// 408, 431...): what this returns comes back with that answer. Only an
    /// access log wants the peer of such an answer; the default notes nothing.
    func headFailed(from peer: String) -> ObservedRequest?
    /// The connection closed before `request` was answered (the client left
    /// mid-upload, or the server stopped): it never reaches `answered`.
    func abandoned(_ request: ObservedRequest)
}

extension HTTPServerObserver {
    public func headFailed(from peer: String) -> ObservedRequest? { nil }
    public func abandoned(_ request: ObservedRequest) {}
}

/// What an observer keeps of a request until its answer: plain values, so
/// the connection holds it without reference counting.
public struct ObservedRequest: Sendable {
    /// The observer's own number for the request's labels (method and
    /// route, say): an integer, so keeping it costs no reference count.
    public var labels: Int
    /// Monotonic seconds at the head's arrival.
    public var startedAt: Double
    /// The observer's own number for what else it keeps of the request
    /// until the answer (the access log's pending line); -1 for none.
    public var slot: Int32

    public init(labels: Int, startedAt: Double, slot: Int32 = -1) {
        self.labels = labels
        self.startedAt = startedAt
        self.slot = slot
    }
}
