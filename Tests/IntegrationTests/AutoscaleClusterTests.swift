import ClusterTesting
import Foundation
import XCTest

/// `blob-cluster --autoscale` with real processes: load makes it add
/// workers, quiet takes them away again, and no request fails meanwhile.
final class AutoscaleClusterTests: XCTestCase {
    private var store = ""
    private var processes: [TestProcess] = []

    override func setUp() {
        store = NSTemporaryDirectory() + "autoscale-\(UUID().uuidString)"
    }

    override func tearDown() {
        processes.forEach { $0.stop(grace: 10) }
        try? FileManager.default.removeItem(atPath: store)
    }

    func testLoadScalesTheClusterOutAndQuietScalesItBackIn() throws {
        let port = Int.random(in: 20_000...30_000)
        let metricsPort = port + 20
        // A low target, so a closed-loop client on a shared 2-core machine
        // is load enough; short cool-downs, so the test is short.
        let cluster = try TestProcess("blob-cluster", [
            "--workers", "1", "--max-workers", "3", "--store", store, "--port", "\(port)", "--worker-base-port", "\(port + 1)",
            "--mode", "direct", "--metrics-port", "\(metricsPort)", "--autoscale", "--autoscale-target", "10",
            "--autoscale-interval", "500ms", "--scale-out-cooldown", "2s", "--scale-in-cooldown", "3s",
        ])
        processes.append(cluster)
        _ = try cluster.waitForLine(containing: "ready", timeout: 20)

        let load = try TestProcess("blob-load", [
            "--action", "baseline", "--url", "http://127.0.0.1:\(port)", "-n", "100000000", "-c", "10", "--duration", "6s", "--json",
        ])
        processes.append(load)
        XCTAssertEqual(load.waitForExit(timeout: 30), 0, load.output)
        XCTAssertTrue(load.output.contains("\"failures\":0,") && load.output.contains("\"non2xx\":0,"), "no request fails while workers come: \(load.output)")
        let out = try cluster.waitForLine(containing: "autoscale: workers 1 -> ", timeout: 1)
        XCTAssertTrue(out.contains("target 10 %"), out)
        let busy = try MetricsScrape(port: metricsPort)
        XCTAssertGreaterThanOrEqual(busy.sum("cluster_scale_events_total", ["direction": "out"]), 1)

        // Quiet: one worker at a time goes, each after its low stretch.
        _ = try cluster.waitForLine(described: "a scale in to 1 worker", timeout: 20) { $0.contains("autoscale: workers 2 -> 1") }
        let quiet = try MetricsScrape(port: metricsPort)
        XCTAssertEqual(quiet.sum("cluster_workers_wanted"), 1)
        XCTAssertGreaterThanOrEqual(quiet.sum("cluster_scale_events_total", ["direction": "in"]), 1)
        XCTAssertLessThan(quiet.sum("cluster_autoscale_worker_cpu"), 0.1)
        XCTAssertEqual(try TestHTTP.request(port: port, method: "GET", path: "/").status, 200)
        XCTAssertEqual(cluster.waitForExit(timeout: 0.1), nil, "still running")
    }

    func testAutoscaleFlagsAreChecked() throws {
        let cases: [[String]] = [
            ["--autoscale", "--min-workers", "3", "--max-workers", "2"],
            ["--autoscale", "--workers", "1", "--min-workers", "2"],
            ["--autoscale", "--autoscale-target", "100"],
            ["--autoscale", "--autoscale-interval", "10ms"],
            ["--min-workers", "2", "--workers", "2"],
            ["--scale-in-cooldown", "5s"],
        ]
        for arguments in cases {
            let process = try TestProcess("blob-cluster", ["--store", store] + arguments)
            XCTAssertEqual(process.waitForExit(timeout: 10), 64, "\(arguments): \(process.output)")
        }
    }
}
