import HTTP1
import HTTPServerKit
import Prometheus

/// An HTTP server's request figures: answers by method, route and status,
/// a latency histogram by route, and body bytes in and out. The routes are
/// the server's own few labels (`classify` picks one per head), so a client
/// cannot make the label sets grow without bound: methods outside the
/// usual five count as "other", and statuses are the few the server sends.
public final class RequestMetrics: HTTPServerObserver {
    public static let requests = MetricName("requests_total", help: "Requests answered, by method, route and status.")
    public static let duration = MetricName(
        "request_duration_seconds", help: "Time from a request's head to its answer being queued (an upload's body included), by route.")
    public static let received = MetricName("request_body_bytes_total", help: "Request body bytes read.")
    public static let sent = MetricName("response_body_bytes_total", help: "Response body bytes queued (heads not counted).")

    private let registry: PrometheusCollectorRegistry
    private let prefix: String
    private let routes: [String]
    private let classify: (RequestHead) -> Int
    /// Counters made on first use, one per (method, route, status): looked
    /// up by a packed key, so a request costs one hash of an integer.
    private var answers: [Int: Counter] = [:]
    private let durations: [ValueHistogram]
    private let bodyBytesIn: Counter
    private let bodyBytesOut: Counter

    /// `routes` are the labels; `classify` returns an index into them (the
    /// last one should be a catch-all such as "other"); each name is prefixed
    /// with `prefix` and an underscore.
    public init(registry: PrometheusCollectorRegistry, prefix: String, routes: [String], classify: @escaping (RequestHead) -> Int) {
        precondition(!routes.isEmpty)
        self.registry = registry
        self.prefix = prefix
        self.routes = routes
        self.classify = classify
        durations = routes.map { registry.histogram(Self.duration.prefixed(prefix), [("route", $0)], buckets: latencyBuckets) }
        bodyBytesIn = registry.counter(Self.received.prefixed(prefix))
        bodyBytesOut = registry.counter(Self.sent.prefixed(prefix))
    }

    public func requestBegan(_ head: RequestHead, from peer: String) -> ObservedRequest {
        ObservedRequest(method: head.method, route: min(max(classify(head), 0), routes.count - 1), startedAt: MonotonicClock.seconds())
    }

    public func answered(_ request: ObservedRequest?, status: Int, bodyBytesReceived: Int, bodyBytesSent: Int?) {
        let method = request.map { Self.methodIndex($0.method) } ?? Self.methodLabels.count - 1
        let route = request?.route ?? routes.count - 1
        let status = min(max(status, 100), 999)
        let key = (method * 64 + route) * 1000 + status
        if let counter = answers[key] {
            counter.increment()
        } else {
            let counter = registry.counter(Self.requests.prefixed(prefix), [
                ("method", Self.methodLabels[method]), ("route", routes[route]), ("status", String(status)),
            ])
            answers[key] = counter
            counter.increment()
        }
        if let request { durations[route].record(max(0, MonotonicClock.seconds() - request.startedAt)) }
        if bodyBytesReceived > 0 { bodyBytesIn.increment(by: Int64(bodyBytesReceived)) }
        if let bodyBytesSent, bodyBytesSent > 0 { bodyBytesOut.increment(by: Int64(bodyBytesSent)) }
    }

    public func producedBodyBytes(_ count: Int) {
        if count > 0 { bodyBytesOut.increment(by: Int64(count)) }
    }

    static let methodLabels = ["GET", "HEAD", "PUT", "POST", "DELETE", "other"]

    static func methodIndex(_ method: HTTPMethod) -> Int {
        switch method {
        case .GET: return 0
        case .HEAD: return 1
        case .PUT: return 2
        case .POST: return 3
        case .DELETE: return 4
        default: return 5
        }
    }
}

extension MetricName {
    /// The same metric under a program's prefix ("blob", "balancer").
    public func prefixed(_ prefix: String) -> MetricName {
        MetricName(prefix + "_" + name, help: help)
    }
}
