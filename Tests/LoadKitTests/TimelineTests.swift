@testable import LoadKit
import XCTest

/// The per-second lines scripts/scale-test.sh will plot: each event counted
/// in its own second, empty seconds written, errors and drops summed, and
/// p50/p99 of what was answered in that second, from the due time.
final class TimelineTests: XCTestCase {
    private func fields(_ line: String) -> [String] { line.split(separator: " ").map(String.init) }

    func testEachEventGoesToItsSecondAndEmptySecondsAreWritten() {
        var timeline = Timeline()
        timeline.countOffered(atMicros: 0)
        timeline.countOffered(atMicros: 999_999)
        timeline.countSent(atMicros: 10)
        timeline.countSent(atMicros: 1_000_000)
        timeline.countEnd(.ok, atMicros: 500_000, latencyMicros: 2_000)
        timeline.countEnd(.notOK, atMicros: 1_200_000, latencyMicros: 200_000)
        timeline.countEnd(.failed, atMicros: 1_300_000, latencyMicros: 0)
        timeline.countEnd(.dropped, atMicros: 3_500_000, latencyMicros: 0)
        XCTAssertEqual(timeline.rows(before: 0), [])
        XCTAssertEqual(timeline.rows(before: 1), ["0 2 1 1 1 0 0 2.000 2.000"])
        XCTAssertEqual(timeline.rows(before: 4), [
            "1 0 1 1 0 2 0 200.000 200.000",
            "2 0 0 0 0 0 0 nan nan",
            "3 0 0 0 0 1 1 nan nan",
        ], "a 503 is answered and an error; a reset is an error only; a drop is both error and dropped")
        XCTAssertEqual(timeline.rows(before: 4), [], "each row once")
        XCTAssertEqual(timeline.rows(before: 5), ["4 0 0 0 0 0 0 nan nan"])
    }

    func testPercentilesAreOfTheSecondsOwnAnswers() {
        var timeline = Timeline()
        // Second 0: 98 answers at 1 ms and 2 at 900 ms (a stall): p50 1, p99 900.
        for _ in 0..<98 { timeline.countEnd(.ok, atMicros: 100_000, latencyMicros: 1_000) }
        for _ in 0..<2 { timeline.countEnd(.ok, atMicros: 950_000, latencyMicros: 900_000) }
        // Second 1: only fast answers; the stall does not leak into it.
        for _ in 0..<10 { timeline.countEnd(.ok, atMicros: 1_500_000, latencyMicros: 3_000) }
        let rows = timeline.rows(before: 2).map(fields)
        XCTAssertEqual(rows[0][3], "100")
        XCTAssertEqual(Double(rows[0][7])!, 1, accuracy: 0.02)
        XCTAssertEqual(Double(rows[0][8])!, 900, accuracy: 9, "1% precision")
        XCTAssertEqual(Double(rows[1][7])!, 3, accuracy: 0.05)
        XCTAssertEqual(Double(rows[1][8])!, 3, accuracy: 0.05)
    }

    func testTheHeaderNamesEveryColumn() {
        var timeline = Timeline()
        timeline.countOffered(atMicros: 0)
        let columns = fields(Timeline.header).dropFirst()
        XCTAssertEqual(Timeline.header.first, "#", "a comment to plotting tools")
        XCTAssertEqual(Array(columns), ["second", "offered", "sent", "answered", "ok", "errors", "dropped", "p50_ms", "p99_ms"])
        XCTAssertEqual(fields(timeline.rows(before: 1)[0]).count, columns.count)
    }

    func testTotalsAddUp() {
        var counts = OpenLoopCounts()
        for _ in 0..<5 { counts.countOffered() }
        for _ in 0..<4 { counts.countSent() }
        counts.countEnd(.ok, latencyMicros: 1_000)
        counts.countEnd(.ok, latencyMicros: 3_000)
        counts.countEnd(.notOK, latencyMicros: 5_000)
        counts.countEnd(.failed, latencyMicros: 0)
        counts.countEnd(.dropped, latencyMicros: 0)
        XCTAssertEqual([counts.offered, counts.sent, counts.answered, counts.ok, counts.errors, counts.dropped], [5, 4, 3, 2, 3, 1])
        XCTAssertEqual(counts.latency.totalCount, 3, "only answers have a latency")
        XCTAssertEqual(counts.milliseconds(atPercentile: 50)!, 3, accuracy: 0.05)
        XCTAssertNil(OpenLoopCounts().milliseconds(atPercentile: 99))
    }
}

/// The --latencies lines' number format: milliseconds with three decimals.
final class LatencyLineTests: XCTestCase {
    func testMicrosecondsPrintAsMillisecondsWithThreeDecimals() {
        XCTAssertEqual(OpenLoopRunner.milliseconds(0), "0.000")
        XCTAssertEqual(OpenLoopRunner.milliseconds(7), "0.007")
        XCTAssertEqual(OpenLoopRunner.milliseconds(1_234), "1.234")
        XCTAssertEqual(OpenLoopRunner.milliseconds(60_050), "60.050")
    }
}
