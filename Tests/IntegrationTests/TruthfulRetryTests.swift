import ClusterTesting
import Foundation
import XCTest

/// Workers killed with SIGKILL every 400 ms under a PUT and DELETE load through the http
/// balancer: every request still succeeds, and no client is told 409 for
/// its own upload or 404 for its own delete. A worker may die after it
/// stored the blob but before it answered; the balancer retries on another
/// worker with the same Idempotency-Key, which answers the original 200.
final class TruthfulRetryTests: XCTestCase {
    private var store = ""
    private var cluster: TestProcess?

    override func setUp() {
        store = "/dev/shm/retry-\(UUID().uuidString)"
    }

    override func tearDown() {
        cluster?.stop(grace: 10)
        try? FileManager.default.removeItem(atPath: store)
    }

    func testKilledWorkersCauseNoFailedRequestAndNoFalseConflict() throws {
        let port = Int.random(in: 20_000...32_000)
        let process = try TestProcess("blob-cluster", [
            "--workers", "4", "--store", store, "--port", "\(port)", "--worker-base-port", "\(port + 1)", "--mode", "http",
        ])
        cluster = process
        _ = try process.waitForLine(containing: "ready", timeout: 20)
        let loads = try ["put", "delete"].map { action in
            try TestProcess("blob-load", ["--action", action, "--amount", "8000", "--concurrency", "6",
                                          "--user", "retry-\(action)", "--url", "http://127.0.0.1:\(port)", "--json"])
        }
        // A worker killed every 400 ms while the loads run (4 s at most):
        // often enough to hit requests in flight, seldom enough that the
        // restart backoff of quick deaths never leaves no worker up.
        var killed = 0
        let deadline = Date().addingTimeInterval(4)
        while Date() < deadline, loads.contains(where: { $0.waitForExit(timeout: 0) == nil }) {
            usleep(400_000)
            let workers = SupervisorLog.workerPids(in: process.output).filter { ((port + 1)...(port + 5)).contains($0.key) }.map(\.value)
            if let victim = workers.randomElement(), kill(victim, SIGKILL) == 0 { killed += 1 }
        }
        XCTAssertGreaterThanOrEqual(killed, 3, "the loads outlasted a few kills")
        for (action, load) in zip(["put", "delete"], loads) {
            XCTAssertEqual(load.waitForExit(timeout: 120), 0)
            let line = try XCTUnwrap(load.output.split(separator: "\n").last { $0.hasPrefix("{") })
            let report = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])
            XCTAssertEqual(report["failures"] as? Int, 0, "\(action): \(line)")
            let kinds = report["kinds"] as? [String: [String: Any]] ?? [:]
            for (kind, stats) in kinds {
                let statuses = stats["statuses"] as? [String: Int] ?? [:]
                XCTAssertEqual(Set(statuses.keys), ["200"], "\(action) \(kind): \(statuses)")
            }
        }
    }
}
