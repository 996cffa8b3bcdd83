@testable import LoadKit
import Foundation
import XCTest

/// The report's sums and its JSON object, which scripts/sweep.sh reads by
/// key: totals, per-kind statuses and errors, and latency percentiles.
final class LoadReportTests: XCTestCase {
    private func plan(_ action: LoadAction) -> LoadPlan {
        LoadPlan(action: action, amount: 4, concurrency: 2, size: 10240, newConnectionPerRequest: false,
                 target: LoadTarget(url: "http://127.0.0.1:8000")!, user: "u", timeout: 10)
    }

    /// Four get actions: three answered as promised, one PUT refused 507,
    /// one GET with wrong bytes, one connection refused.
    private func sample() -> LoadReport {
        var report = LoadReport(plan: plan(.get))
        for _ in 0..<3 { report.record(.put, micros: 1000, outcome: .answered(status: 200, verified: true, keepAlive: true)) }
        report.record(.put, micros: 3000, outcome: .answered(status: 507, verified: true, keepAlive: true))
        report.record(.get, micros: 2000, outcome: .answered(status: 200, verified: true, keepAlive: true))
        report.record(.get, micros: 2000, outcome: .answered(status: 200, verified: false, keepAlive: true))
        report.record(.get, micros: 0, outcome: .failed("refused"))
        report.wallMicros = 500_000
        report.cpuMicros = 250_000
        report.actions = 4
        return report
    }

    func testTotalsClassifyStatusesAndFailures() {
        let report = sample()
        XCTAssertEqual(report.requests, 7)
        XCTAssertEqual(report.non2xx, 1, "only the 507 is outside 2xx")
        XCTAssertEqual(report.failures, 3, "507, wrong bytes, refused")
        XCTAssertEqual(report.kinds[.put]?.successRate, 0.75)
        XCTAssertEqual(report.kinds[.get]?.errors, ["verify": 1, "refused": 1])
        XCTAssertEqual(report.all.latency.totalCount, 6, "a refused connect has no latency")
    }

    func testJSONHasTheKeysTheSweepReads() throws {
        let object = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(sample().json().utf8)) as? [String: Any])
        XCTAssertEqual(object["action"] as? String, "get")
        XCTAssertEqual(object["amount"] as? Int, 4)
        XCTAssertEqual(object["requests"] as? Int, 7)
        XCTAssertEqual(object["wall_seconds"] as? Double, 0.5)
        XCTAssertEqual(object["cpu_seconds"] as? Double, 0.25, "the client's own CPU during the run")
        XCTAssertEqual(object["actions_per_second"] as? Double, 8)
        XCTAssertEqual(object["requests_per_second"] as? Double, 14)
        XCTAssertEqual(object["non2xx"] as? Int, 1)
        XCTAssertEqual(object["failures"] as? Int, 3)
        XCTAssertEqual(object["url"] as? String, "http://127.0.0.1:8000")
        XCTAssertEqual(object["statuses"] as? [String: Int], ["200": 5, "507": 1])
        XCTAssertEqual(object["errors"] as? [String: Int], ["verify": 1, "refused": 1])
        let p50 = try XCTUnwrap(object["p50_ms"] as? Double)
        XCTAssertEqual(p50, 1, accuracy: 0.01, "1, 1, 1, 2, 2, 3 ms")
        let latency = try XCTUnwrap(object["latency_ms"] as? [String: Double])
        XCTAssertEqual(Set(latency.keys), ["min", "avg", "max", "p50", "p90", "p99", "p99.9"])
        XCTAssertEqual(latency["max"] ?? 0, 3, accuracy: 0.01)
        let kinds = try XCTUnwrap(object["kinds"] as? [String: [String: Any]])
        XCTAssertEqual(Set(kinds.keys), ["PUT blob", "GET blob"])
        XCTAssertEqual(kinds["PUT blob"]?["success"] as? Int, 3)
        XCTAssertEqual(kinds["GET blob"]?["count"] as? Int, 3)
    }

    func testTopLevelKeysAreUniqueForTheShellScripts() {
        let json = sample().json()
        for key in ["wall_seconds", "cpu_seconds", "requests_per_second", "p50_ms", "p99_ms", "non2xx", "failures"] {
            XCTAssertEqual(json.components(separatedBy: "\"\(key)\":").count, 2, key)
        }
    }

    func testTextNamesEveryKindAndFailure() {
        let text = sample().text()
        XCTAssertTrue(text.contains("PUT blob"))
        XCTAssertTrue(text.contains("507=1"))
        XCTAssertTrue(text.contains("refused=1"))
        XCTAssertTrue(text.contains("p99.9"))
    }

    func testAnEmptyRunReportsZeros() throws {
        let report = LoadReport(plan: plan(.baseline))
        let object = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(report.json().utf8)) as? [String: Any])
        XCTAssertEqual(object["requests"] as? Int, 0)
        XCTAssertEqual(object["requests_per_second"] as? Double, 0)
    }
}

/// The open loop's part of the report: its own top-level keys, unique.
final class OpenLoopReportTests: XCTestCase {
    func testOpenLoopKeysAreTopLevelAndUnique() throws {
        var plan = LoadPlan(action: .baseline, amount: 3, concurrency: 2, size: 0, newConnectionPerRequest: false,
                            target: LoadTarget(url: "http://127.0.0.1:8000")!, user: "u", timeout: 10)
        plan.schedule = RateSchedule(phases: [.init(rate: 200, seconds: 10), .init(rate: 1.5, seconds: 2)])
        var report = LoadReport(plan: plan)
        var counts = OpenLoopCounts()
        for _ in 0..<3 { counts.countOffered() }
        counts.countSent()
        counts.countEnd(.ok, latencyMicros: 1_000_000)
        counts.countEnd(.dropped, latencyMicros: 0)
        report.openLoop = counts
        let json = report.json()
        let object = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(json.utf8)) as? [String: Any])
        XCTAssertEqual(object["phases"] as? String, "200:10s,1.5:2s")
        XCTAssertEqual(object["offered"] as? Int, 3)
        XCTAssertEqual(object["sent"] as? Int, 1)
        XCTAssertEqual(object["dropped"] as? Int, 1)
        XCTAssertEqual(object["action_errors"] as? Int, 1)
        XCTAssertEqual(object["action_p99_ms"] as? Double ?? 0, 1000, accuracy: 10)
        for key in ["offered", "sent", "dropped", "action_p99_ms", "p99_ms", "p50_ms"] {
            XCTAssertEqual(json.components(separatedBy: "\"\(key)\":").count, 2, key)
        }
        XCTAssertTrue(report.text().contains("offered 3, sent 1, answered 1, ok 1, errors 1, dropped 1"), report.text())
    }
}
