import BlobKit
import BlobProtocol
import ClusterMetrics
import HTTPServerKit
import Prometheus

/// A worker's figures, served at `/metrics` on its own port: the request
/// figures (RequestMetrics, "blob_" names), open connections, listings
/// running and queued, and store failures by kind.
final class WorkerMetrics: StoreFailureCounter, @unchecked Sendable {
    static let connections = MetricName("blob_open_connections", help: "Client connections open now.")
    static let listingsRunning = MetricName("blob_listings_running", help: "Listings being walked now.")
    static let listingsQueued = MetricName("blob_listings_queued", help: "Listings waiting for a --max-listings slot.")
    static let storeFailures = MetricName("blob_store_failures_total", help: "Store failures by kind (answered 5xx or 507).")

    let registry = PrometheusCollectorRegistry()
    let requests: RequestMetrics
    private let failures: [StoreFailure: Counter]
    private let connections: Gauge
    private let listingsRunning: Gauge
    private let listingsQueued: Gauge

    init() {
        requests = RequestMetrics(registry: registry, prefix: "blob", routes: BlobRouteLabel.allCases.map(\.name)) { head in
            head.withTargetBytes { BlobRouteLabel(target: $0).rawValue }
        }
        var failures: [StoreFailure: Counter] = [:]
        for kind in StoreFailure.allCases { failures[kind] = registry.counter(Self.storeFailures, [("kind", kind.rawValue)]) }
        self.failures = failures
        connections = registry.gauge(Self.connections)
        listingsRunning = registry.gauge(Self.listingsRunning)
        listingsQueued = registry.gauge(Self.listingsQueued)
    }

    func count(_ failure: StoreFailure) {
        failures[failure]?.increment()
    }

    /// Sets what is read rather than counted, before a scrape.
    func refresh(server: HTTPServer, listings: ListingGate) {
        requests.flush()
        connections.set(Int64(server.openConnections))
        let load = listings.load
        listingsRunning.set(Int64(load.running))
        listingsQueued.set(Int64(load.waiting))
    }
}
