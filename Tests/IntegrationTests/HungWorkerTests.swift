import ClusterTesting
import Foundation
import XCTest

/// A worker that stops answering (here: SIGSTOP) is found by the
/// supervisor's liveness probes, taken out of the balancer, killed and
/// replaced, while a load keeps running through the http balancer.
final class HungWorkerTests: XCTestCase {
    private var store = ""
    private var cluster: TestProcess?
    private var stopped: Int32 = 0

    override func setUp() {
        store = NSTemporaryDirectory() + "hung-\(UUID().uuidString)"
    }

    override func tearDown() {
        if stopped > 0 { kill(stopped, SIGCONT) }  // never leave a stopped process behind
        cluster?.stop(grace: 10)
        try? FileManager.default.removeItem(atPath: store)
    }

    /// Replaced = killed and a new worker started on its port; the new one
    /// then serves (checked at the end).
    func testAStoppedWorkerIsReplacedWithinIntervalTimesFailuresPlusOneSecond() throws {
        let port = Int.random(in: 20_000...32_000)
        let interval = 1.0, failures = 2
        let process = try TestProcess("blob-cluster", [
            "--workers", "2", "--store", store, "--port", "\(port)", "--worker-base-port", "\(port + 1)", "--mode", "http",
            "--liveness-interval", "\(Int(interval * 1000))ms", "--liveness-failures", "\(failures)",
        ])
        cluster = process
        let ready = try process.waitForLine(containing: "ready", timeout: 20)
        let victim = try XCTUnwrap(workerPid(in: ready, port: port + 1))
        let loader = try TestProcess("blob-load", ["--action", "get", "--amount", "3000", "--concurrency", "4",
                                                   "--url", "http://127.0.0.1:\(port)", "--json"])
        usleep(300_000)
        let stoppedAt = Date()
        XCTAssertEqual(kill(victim, SIGSTOP), 0)
        stopped = victim

        _ = try process.waitForLine(containing: "liveness probes in a row", timeout: interval * Double(failures) + 2)
        let line = try process.waitForLine(described: "a new worker booting on :\(port + 1)", timeout: 5) {
            $0.contains("booting worker") && $0.hasSuffix("on :\(port + 1)") && !$0.contains("(pid \(victim))")
        }
        let replacedAfter = Date().timeIntervalSince(stoppedAt)
        XCTAssertLessThanOrEqual(replacedAfter, interval * Double(failures) + 1, line)
        XCTAssertFalse(alive(victim), "the hung worker was killed")
        stopped = 0

        XCTAssertEqual(loader.waitForExit(timeout: 120), 0)
        let report = try XCTUnwrap(loader.output.split(separator: "\n").last { $0.hasPrefix("{") })
        let result = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(report.utf8)) as? [String: Any])
        XCTAssertEqual(result["failures"] as? Int, 0, String(report))
        XCTAssertEqual(try TestHTTP.request(port: port + 1, method: "GET", path: "/healthcheck").status, 200, "the new worker serves")
    }

    private func workerPid(in ready: String, port: Int) -> Int32? {
        guard let range = ready.range(of: ":\(port) (pid ") else { return nil }
        return Int32(ready[range.upperBound...].prefix { $0.isNumber })
    }

    private func alive(_ pid: Int32) -> Bool {
        guard let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8) else { return false }
        return !stat.components(separatedBy: ") ").last!.hasPrefix("Z")
    }
}
