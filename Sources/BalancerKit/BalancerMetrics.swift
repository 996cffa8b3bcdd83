import ClusterMetrics
import EventCore
import Prometheus

/// The balancer's figures, served on `--metrics-port`: answers and errors
/// per backend, retries, each backend's state, connect and response
/// latencies, client sessions. Used on the loop only.
public final class BalancerMetrics: @unchecked Sendable {
    static let sessionsOpen = MetricName("balancer_sessions", help: "Client connections open now.")
    static let sessionsTotal = MetricName("balancer_sessions_total", help: "Client connections accepted.")
    static let ownAnswers = MetricName(
        "balancer_own_answers_total", help: "Answers the balancer made itself (http mode: 400, 408, 502, 503, 504), by status.")
    static let dropped = MetricName(
        "balancer_dropped_sessions_total", help: "tcp mode: client connections closed because no backend could take them.")

    public let registry = PrometheusCollectorRegistry()
    /// A short list searched by port then host (as the idle pool is): no
    /// hashing of an address's String on every request.
    private var backends: [(address: SocketAddress, figures: BackendFigures)] = []
    private var ownAnswers: [Int: Counter] = [:]
    private let sessionsOpen: Gauge
    private let sessionsTotal: Counter
    let droppedSessions: Counter

    public init() {
        sessionsOpen = registry.gauge(Self.sessionsOpen)
        sessionsTotal = registry.counter(Self.sessionsTotal)
        droppedSessions = registry.counter(Self.dropped)
    }

    func figures(_ address: SocketAddress) -> BackendFigures {
        for entry in backends where entry.address.port == address.port && entry.address.host == address.host {
            return entry.figures
        }
        let figures = BackendFigures(registry: registry, backend: address.description)
        backends.append((address, figures))
        return figures
    }

    func accepted() { sessionsTotal.increment() }

    func answered(own status: Int) {
        if let counter = ownAnswers[status] { return counter.increment() }
        let counter = registry.counter(Self.ownAnswers, [("status", String(status))])
        ownAnswers[status] = counter
        counter.increment()
    }

    /// Sets what is read rather than counted, before a scrape: sessions
    /// open and each backend's state (a removed backend's series go).
    public func refresh(sessions: Int, directory: BackendDirectory) {
        sessionsOpen.set(Int64(sessions))
        let pool = directory.pool.backends
        for backend in pool { figures(backend.address).show(backend.state) }
        backends.removeAll { entry in
            let known = pool.contains { $0.address.port == entry.address.port && $0.address.host == entry.address.host }
            if !known { entry.figures.unregister(from: registry) }
            return !known
        }
    }
}

/// One backend's series (label `backend="HOST:PORT"`).
final class BackendFigures {
    static let responses = MetricName("balancer_backend_responses_total", help: "http mode: answers relayed from each backend, by status.")
    static let errors = MetricName(
        "balancer_backend_errors_total",
        help: "Failures per backend: connect (refused or timed out), response (closed or invalid before or during its answer), timeout (silent past --timeout-server).")
    static let retries = MetricName("balancer_retries_total", help: "Requests (http) or connections (tcp) sent on to another backend after this one failed.")
    static let sessions = MetricName("balancer_backend_sessions_total", help: "tcp mode: client connections handed to each backend.")
    static let state = MetricName("balancer_backend_up", help: "1 while a backend is UP, 0 while DOWN or draining.")
    static let draining = MetricName("balancer_backend_draining", help: "1 while a backend drains (no new work; the supervisor's order).")
    static let connect = MetricName("balancer_connect_duration_seconds", help: "Time to connect to a backend.")
    static let response = MetricName(
        "balancer_response_duration_seconds", help: "http mode: time from a request's dispatch to its backend's answer head.")

    private let backend: String
    private var responses: [Int: Counter] = [:]
    private unowned let registry: PrometheusCollectorRegistry
    let connectErrors: Counter
    let responseErrors: Counter
    let timeouts: Counter
    let retries: Counter
    let sessions: Counter
    private let up: Gauge
    private let draining: Gauge
    let connectDuration: ValueHistogram
    let responseDuration: ValueHistogram

    init(registry: PrometheusCollectorRegistry, backend: String) {
        self.registry = registry
        self.backend = backend
        let label = [("backend", backend)]
        connectErrors = registry.counter(Self.errors, label + [("kind", "connect")])
        responseErrors = registry.counter(Self.errors, label + [("kind", "response")])
        timeouts = registry.counter(Self.errors, label + [("kind", "timeout")])
        retries = registry.counter(Self.retries, label)
        sessions = registry.counter(Self.sessions, label)
        up = registry.gauge(Self.state, label)
        draining = registry.gauge(Self.draining, label)
        connectDuration = registry.histogram(Self.connect, label, buckets: latencyBuckets)
        responseDuration = registry.histogram(Self.response, label, buckets: latencyBuckets)
    }

    func responded(status: Int) {
        if let counter = responses[status] { return counter.increment() }
        let counter = registry.counter(Self.responses, [("backend", backend), ("status", String(status))])
        responses[status] = counter
        counter.increment()
    }

    func show(_ state: BackendState) {
        up.set(Int64(state == .up ? 1 : 0))
        draining.set(Int64(state == .draining ? 1 : 0))
    }

    func unregister(from registry: PrometheusCollectorRegistry) {
        for counter in [connectErrors, responseErrors, timeouts, retries, sessions] + Array(responses.values) {
            registry.unregisterCounter(counter)
        }
        registry.unregisterGauge(up)
        registry.unregisterGauge(draining)
        registry.unregisterValueHistogram(connectDuration)
        registry.unregisterValueHistogram(responseDuration)
    }
}
