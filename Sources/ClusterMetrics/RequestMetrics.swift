import EventCore
import HTTP1
import HTTPServerKit
import Prometheus

/// An HTTP server's request figures: answers by method, route and status,
/// a latency histogram by route, and body bytes in and out. The routes are
/// the server's own few labels (`classify` picks one per head), so a client
/// cannot make the label sets grow without bound: methods outside the
/// usual five count as "other", and statuses are the few the server sends.
///
/// The request path only adds to plain integers (the loop is one thread);
/// `flush()`, before each scrape, brings the registry's counters up to
/// them. Counting costs a `GET /` about 300 instructions this way; the
/// registry's own atomics, a dictionary and a locked histogram cost 2,000.
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
    /// Answers per (method, route, status slot), and what the registry's
    /// counter of each was last brought up to.
    private var answers: [Int]
    private var flushed: [Int]
    private var counters: [Int: Counter] = [:]
    /// Answers with a status outside `statusSlots`, by exact status (rare).
    private var otherStatuses: [Int: (count: Int, flushed: Int)] = [:]
    public let durations: LatencyHistogram
    /// Held here: a static would be checked for initialization on every answer.
    private let slotOfStatus = RequestMetrics.slotOfStatus
    private var bodyBytesIn = 0, bodyBytesOut = 0
    private var flushedIn = 0, flushedOut = 0
    private let bodyBytesInCounter: Counter
    private let bodyBytesOutCounter: Counter

    /// `routes` are the labels; `classify` returns an index into them (the
    /// last one should be a catch-all such as "other"); each name is prefixed
    /// with `prefix` and an underscore.
    public init(registry: PrometheusCollectorRegistry, prefix: String, routes: [String], classify: @escaping (RequestHead) -> Int) {
        precondition(!routes.isEmpty)
        self.registry = registry
        self.prefix = prefix
        self.routes = routes
        self.classify = classify
        let cells = Self.methodLabels.count * routes.count * Self.statuses.count
        answers = Array(repeating: 0, count: cells)
        flushed = answers
        durations = LatencyHistogram(Self.duration.prefixed(prefix), label: "route", values: routes)
        bodyBytesInCounter = registry.counter(Self.received.prefixed(prefix))
        bodyBytesOutCounter = registry.counter(Self.sent.prefixed(prefix))
    }

    public func requestBegan(_ head: RequestHead, from peer: String) -> ObservedRequest {
        let route = min(max(classify(head), 0), routes.count - 1)
        return ObservedRequest(labels: Self.methodIndex(head.method) * routes.count + route, startedAt: MonotonicClock.seconds())
    }

    public func answered(_ request: ObservedRequest?, status: Int, bodyBytesReceived: Int, bodyBytesSent: Int?) {
        // A head that never parsed counts as method and route "other".
        let labels = request?.labels ?? Self.methodLabels.count * routes.count - 1
        if status >= 0 && status < slotOfStatus.count, let slot = slotOfStatus[status] {
            answers[labels * Self.statuses.count + Int(slot)] &+= 1
        } else {
            otherStatuses[labels * 1000 + min(max(status, 0), 999), default: (0, 0)].count += 1
        }
        if let request { durations.record(max(0, MonotonicClock.seconds() - request.startedAt), at: labels % routes.count) }
        bodyBytesIn &+= bodyBytesReceived
        if let bodyBytesSent { bodyBytesOut &+= bodyBytesSent }
    }

    public func producedBodyBytes(_ count: Int) {
        bodyBytesOut &+= count
    }

    /// Brings the registry's counters up to the counts (before a scrape).
    public func flush() {
        for cell in answers.indices where answers[cell] != flushed[cell] {
            let status = cell % Self.statuses.count
            let rest = cell / Self.statuses.count
            counter(method: rest / routes.count, route: rest % routes.count, status: Self.statuses[status])
                .increment(by: Int64(answers[cell] - flushed[cell]))
            flushed[cell] = answers[cell]
        }
        for (key, entry) in otherStatuses where entry.count != entry.flushed {
            let rest = key / 1000
            counter(method: rest / routes.count, route: rest % routes.count, status: key % 1000)
                .increment(by: Int64(entry.count - entry.flushed))
            otherStatuses[key] = (entry.count, entry.count)
        }
        if bodyBytesIn != flushedIn { bodyBytesInCounter.increment(by: Int64(bodyBytesIn - flushedIn)) }
        if bodyBytesOut != flushedOut { bodyBytesOutCounter.increment(by: Int64(bodyBytesOut - flushedOut)) }
        flushedIn = bodyBytesIn
        flushedOut = bodyBytesOut
    }

    private func counter(method: Int, route: Int, status: Int) -> Counter {
        let key = (method * routes.count + route) * 1000 + status
        if let counter = counters[key] { return counter }
        let counter = registry.counter(Self.requests.prefixed(prefix), [
            ("method", Self.methodLabels[method]), ("route", routes[route]), ("status", String(status)),
        ])
        counters[key] = counter
        return counter
    }

    static let methodLabels = ["GET", "HEAD", "PUT", "POST", "DELETE", "other"]

    /// The statuses our servers send, each with a slot of the counts.
    static let statuses = [
        100, 200, 201, 204, 206, 301, 302, 304, 400, 401, 403, 404, 405, 406, 408, 409, 411, 412, 413, 414, 415, 416,
        417, 422, 429, 431, 500, 501, 502, 503, 504, 505, 507,
    ]
    static let slotOfStatus: [UInt8?] = {
        var slots = [UInt8?](repeating: nil, count: 600)
        for (slot, status) in statuses.enumerated() { slots[status] = UInt8(slot) }
        return slots
    }()

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
