@testable import LoadKit
import XCTest

/// The open loop's arithmetic, with no clock and no sockets: when each
/// action is due, what a full backlog does, and how the per-second lines
/// count and take percentiles.
final class OpenLoopScheduleTests: XCTestCase {
    func testOneRateIsDueAtIOverR() {
        let schedule = RateSchedule(rate: 200, seconds: 2)
        XCTAssertEqual(schedule.count, 400)
        XCTAssertEqual(schedule.dueMicros(0), 0)
        XCTAssertEqual(schedule.dueMicros(1), 5_000)
        XCTAssertEqual(schedule.dueMicros(200), 1_000_000)
        XCTAssertEqual(schedule.dueMicros(399), 1_995_000, "the last is due before the end, not at it")
        XCTAssertEqual(schedule.durationMicros, 2_000_000)
        XCTAssertEqual(RateSchedule(rate: 3, seconds: 1).dueMicros(1), 333_333, "rounded to the microsecond")
        XCTAssertEqual(RateSchedule(rate: 0.1, seconds: 30).count, 3, "0.1 × 30 is 3, not 2.9999")
    }

    func testPhasesFollowOneAnotherWithoutDrift() {
        let schedule = RateSchedule(phases: [.init(rate: 200, seconds: 10), .init(rate: 1500, seconds: 20), .init(rate: 0, seconds: 5),
                                             .init(rate: 200, seconds: 20)])
        XCTAssertEqual(schedule.count, 2000 + 30_000 + 0 + 4000)
        XCTAssertEqual(schedule.dueMicros(1999), 9_995_000, "last of the first phase")
        XCTAssertEqual(schedule.dueMicros(2000), 10_000_000, "the second phase starts at its own time")
        XCTAssertEqual(schedule.dueMicros(2003), 10_002_000)
        XCTAssertEqual(schedule.dueMicros(31_999), 29_999_333)
        XCTAssertEqual(schedule.dueMicros(32_000), 35_000_000, "a 0 phase is a pause of its length")
        XCTAssertEqual(schedule.dueMicros(35_999), 54_995_000)
        XCTAssertEqual(schedule.durationMicros, 55_000_000)
        let times = (0..<schedule.count).map(schedule.dueMicros)
        XCTAssertEqual(times, times.sorted(), "due times never go back")
    }

    func testAFullBacklogRefusesAndDrainsOldestFirst() {
        var backlog = Backlog(capacity: 3)
        XCTAssertTrue(backlog.push(10))
        XCTAssertTrue(backlog.push(20))
        XCTAssertTrue(backlog.push(30))
        XCTAssertFalse(backlog.push(40), "full: the caller drops it")
        XCTAssertEqual(backlog.pop(), 10)
        XCTAssertTrue(backlog.push(50), "room again, wrapping around the ring")
        XCTAssertEqual([backlog.pop(), backlog.pop(), backlog.pop(), backlog.pop()], [20, 30, 50, nil])
        XCTAssertTrue(backlog.isEmpty)
    }

    func testAnActionIsAsGoodAsItsWorstRequest() {
        XCTAssertEqual(ActionResult.ok.worsened(by: .ok), .ok)
        XCTAssertEqual(ActionResult.ok.worsened(by: .notOK), .notOK)
        XCTAssertEqual(ActionResult.notOK.worsened(by: .failed), .failed)
        XCTAssertEqual(ActionResult.failed.worsened(by: .notOK), .failed)
        XCTAssertTrue(ActionResult.notOK.isAnswered)
        XCTAssertFalse(ActionResult.failed.isAnswered)
    }
}
