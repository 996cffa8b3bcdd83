import ClusterTesting
import Foundation
import XCTest

/// `/metrics` of every program as an operator scrapes it: each parses with
/// the official Prometheus parser, and the counters rise by exactly the
/// requests sent.
final class MetricsTests: XCTestCase {
    private var store = ""
    private var processes: [TestProcess] = []

    override func setUp() {
        store = NSTemporaryDirectory() + "metrics-\(UUID().uuidString)"
    }

    override func tearDown() {
        processes.forEach { $0.stop(grace: 10) }
        try? FileManager.default.removeItem(atPath: store)
    }

    private func worker(_ extra: [String] = []) throws -> Int {
        let process = try TestProcess("blob-server", ["--port", "0", "--store", store] + extra)
        processes.append(process)
        return try process.waitForListeningPort()
    }

    func testAWorkerCountsEachRequestByMethodRouteAndStatus() throws {
        let port = try worker()
        let body = Array(repeating: UInt8(ascii: "x"), count: 1000)
        for id in 1...3 { XCTAssertEqual(try TestHTTP.request(port: port, method: "PUT", path: "/blobs/u/\(id)", body: body).status, 200) }
        for _ in 1...5 { XCTAssertEqual(try TestHTTP.request(port: port, method: "GET", path: "/blobs/u/1").status, 200) }
        for _ in 1...2 { XCTAssertEqual(try TestHTTP.request(port: port, method: "GET", path: "/blobs/u/none").status, 404) }
        XCTAssertEqual(try TestHTTP.request(port: port, method: "HEAD", path: "/blobs/u/2").status, 200)
        XCTAssertEqual(try TestHTTP.request(port: port, method: "GET", path: "/blobs/u/").status, 200)
        XCTAssertEqual(try TestHTTP.request(port: port, method: "DELETE", path: "/blobs/u/3").status, 200)
        XCTAssertEqual(try TestHTTP.request(port: port, method: "BREW", path: "/coffee").status, 404)

        let first = try MetricsScrape(port: port)
        let requests = "blob_requests_total"
        XCTAssertEqual(first.sum(requests, ["method": "PUT", "route": "blob", "status": "200"]), 3)
        XCTAssertEqual(first.sum(requests, ["method": "GET", "route": "blob", "status": "200"]), 5)
        XCTAssertEqual(first.sum(requests, ["method": "GET", "route": "blob", "status": "404"]), 2)
        XCTAssertEqual(first.sum(requests, ["method": "HEAD", "route": "blob"]), 1)
        XCTAssertEqual(first.sum(requests, ["method": "GET", "route": "list", "status": "200"]), 1)
        XCTAssertEqual(first.sum(requests, ["method": "DELETE", "route": "blob", "status": "200"]), 1)
        XCTAssertEqual(first.sum(requests, ["method": "other", "route": "other", "status": "404"]), 1)
        XCTAssertEqual(first.sum(requests), 14, "nothing else counted, not the scrape in progress")
        XCTAssertEqual(first.sum("blob_request_duration_seconds_count"), 14)
        XCTAssertEqual(first.sum("blob_request_duration_seconds_count", ["route": "blob"]), 12)
        XCTAssertEqual(first.sum("blob_request_body_bytes_total"), 3000)
        XCTAssertGreaterThanOrEqual(first.sum("blob_response_body_bytes_total"), 5000, "five 1,000-byte GETs (HEAD sends none)")
        XCTAssertEqual(first.sum("blob_open_connections"), 1, "the scrape's own")
        XCTAssertEqual(first.sum("blob_store_failures_total"), 0)
        XCTAssertEqual(first.families["blob_request_duration_seconds"], "histogram")
        XCTAssertEqual(first.families["blob_listings_queued"], "gauge")

        let second = try MetricsScrape(port: port)
        XCTAssertEqual(second.sum(requests, ["route": "metrics", "status": "200"]), 1, "the first scrape, counted once answered")
        XCTAssertEqual(second.sum(requests), 15)
    }

    func testAWorkerWithoutMetricsServesNone() throws {
        let port = try worker(["--no-metrics"])
        XCTAssertEqual(try TestHTTP.request(port: port, method: "GET", path: "/metrics").status, 404)
        XCTAssertEqual(try TestHTTP.request(port: port, method: "GET", path: "/").status, 200)
    }

    func testAStoreFailureIsCountedByKind() throws {
        let port = try worker()
        XCTAssertEqual(try TestHTTP.request(port: port, method: "PUT", path: "/blobs/u/abcdef1", body: [1]).status, 200)
        // A flags file that is not a JSON list, written behind the worker's back.
        try Data("{not a list".utf8).write(to: URL(fileURLWithPath: store + "/u/default/a/abc/abcdef/abcdef1.flags"))
        XCTAssertEqual(try TestHTTP.request(port: port, method: "GET", path: "/blobs/u/abcdef1?only_flags=1").status, 500)
        let scrape = try MetricsScrape(port: port)
        XCTAssertEqual(scrape.sum("blob_store_failures_total", ["kind": "corrupt_flags"]), 1)
        XCTAssertEqual(scrape.sum("blob_store_failures_total"), 1)
    }

    func testTheClusterServesTheSupervisorsAndTheBalancersFigures() throws {
        for mode in ["http", "tcp"] {
            let port = Int.random(in: 20_000...30_000)
            let metricsPort = port + 20
            let cluster = try TestProcess("blob-cluster", [
                "--workers", "2", "--store", store + mode, "--port", "\(port)", "--worker-base-port", "\(port + 1)",
                "--mode", mode, "--metrics-port", "\(metricsPort)",
            ])
            processes.append(cluster)
            defer { try? FileManager.default.removeItem(atPath: store + mode) }
            let ready = try cluster.waitForLine(containing: "ready", timeout: 20)
            for _ in 1...20 { XCTAssertEqual(try TestHTTP.request(port: port, method: "GET", path: "/").status, 200, mode) }

            let supervisor = try MetricsScrape(port: metricsPort)
            XCTAssertEqual(supervisor.sum("cluster_workers_wanted"), 2, mode)
            XCTAssertEqual(supervisor.sum("cluster_workers_running"), 2, mode)
            XCTAssertEqual(supervisor.sum("cluster_children", ["role": "balancer", "state": "running"]), 1, mode)
            XCTAssertEqual(supervisor.sum("cluster_restarts_total"), 0, mode)

            let balancer = try MetricsScrape(port: metricsPort + 1)
            // Sessions also count the supervisor's liveness probes of the
            // balancer (a connect to its own port every 2 s): a few more.
            XCTAssert((20...23).contains(balancer.sum("balancer_sessions_total")), "\(balancer.sum("balancer_sessions_total")) \(mode)")
            XCTAssertEqual(balancer.sum("balancer_backend_up"), 2, mode)
            if mode == "http" {
                XCTAssertEqual(balancer.sum("balancer_backend_responses_total", ["status": "200"]), 20)
                XCTAssertEqual(balancer.sum("balancer_response_duration_seconds_count"), 20)
            } else {
                XCTAssert((20...23).contains(balancer.sum("balancer_backend_sessions_total")), "with the probes' connects")
            }
            XCTAssertEqual(balancer.sum("balancer_backend_errors_total"), 0, mode)

            let workers = try (1...2).map { try MetricsScrape(port: port + $0) }
            XCTAssertEqual(workers.map { $0.sum("blob_requests_total", ["route": "baseline"]) }.reduce(0, +), 20, mode)
            XCTAssertTrue(workers.allSatisfy { $0.sum("blob_requests_total", ["route": "baseline"]) > 0 }, "round robin: \(mode)")

            // A worker killed: the supervisor counts one crash and restarts it.
            let worker = try XCTUnwrap(ready.components(separatedBy: ":\(port + 1) (pid ").last)
            let pid = try XCTUnwrap(Int32(worker.prefix { $0.isNumber }))
            kill(pid, SIGKILL)
            let deadline = Date().addingTimeInterval(10)
            var restarted = 0.0
            while Date() < deadline {
                restarted = try MetricsScrape(port: metricsPort).sum("cluster_restarts_total", ["role": "worker", "cause": "crashed"])
                if restarted == 1 { break }
                usleep(100_000)
            }
            XCTAssertEqual(restarted, 1, mode)
            cluster.stop(grace: 10)
        }
    }
}
