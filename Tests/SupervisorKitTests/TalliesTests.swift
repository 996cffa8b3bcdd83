import SupervisorKit
import XCTest

/// The supervisor's counts (its metrics): each restart under its cause and
/// role, each move of the worker target, and nothing for what did not happen.
final class TalliesTests: XCTestCase {
    func testACrashAHangAndAStartTimeoutAreCountedUnderTheirCauses() {
        var shell = FakeShell(workers: 2)
        shell.startHealthy()
        shell.now += 20
        shell.feed(.exited(pid: shell.pid(ofPort: 8001), status: .signaled(11)))
        XCTAssertEqual(shell.machine.tallies.restarts(.worker, .crashed), 1)

        let hung = shell.pid(ofPort: 8002)
        for _ in 0..<3 { shell.feed(.unhealthy(pid: hung)) }
        XCTAssertEqual(shell.machine.tallies.restarts(.worker, .hung), 0, "counted when it is reaped and restarted")
        shell.feed(.exited(pid: hung, status: .signaled(9)))
        XCTAssertEqual(shell.machine.tallies.restarts(.worker, .hung), 1)
        XCTAssertEqual(shell.machine.tallies.restarts(.worker, .crashed), 1, "a KILL for a hang is not a crash")

        // The restarted worker on 8001 never becomes healthy.
        _ = shell.secondsUntilSpawn(onPort: 8001)
        shell.advance(31)
        let stuck = shell.pid(ofPort: 8001)
        shell.feed(.exited(pid: stuck, status: .signaled(15)))
        XCTAssertEqual(shell.machine.tallies.restarts(.worker, .startTimeout), 1)

        shell.feed(.exited(pid: shell.balancerPid, status: .signaled(6)))
        XCTAssertEqual(shell.machine.tallies.restarts(.balancer, .crashed), 1)
    }

    func testScaleEventsCountOnlyMovesOfTheTarget() {
        var shell = FakeShell(workers: 1, maxWorkers: 2)
        shell.startHealthy()
        shell.feed(.signal(.decrease))  // already 1
        shell.feed(.signal(.increase))
        shell.feed(.signal(.increase))  // already at the maximum
        shell.feed(.signal(.decrease))
        XCTAssertEqual(shell.machine.tallies.scaleEvents, [.out: 1, .in: 1])
        XCTAssertEqual(shell.machine.target, 1)
    }

    func testAStopCountsNoRestarts() {
        var shell = FakeShell(workers: 2)
        shell.startHealthy()
        shell.feed(.signal(.terminate))
        for pid in shell.allPids { shell.feed(.exited(pid: pid, status: .exited(code: 0))) }
        XCTAssertEqual(shell.machine.tallies.restarts, [:])
        XCTAssertEqual(shell.machine.tallies.scaleEvents, [:])
        XCTAssertTrue(shell.machine.tallies.slots.values.allSatisfy { $0.restarts == 0 && $0.lastExit == .exited(code: 0) })
    }
}

/// Each port's own history, for `blob-cluster status`: restarts there, and
/// how and when its last child ended (a retired one too).
final class SlotHistoryTests: XCTestCase {
    func testEachPortKeepsItsRestartsAndLastExit() {
        var shell = FakeShell(workers: 2)
        shell.startHealthy()
        shell.now += 20
        shell.feed(.exited(pid: shell.pid(ofPort: 8002), status: .signaled(9)))
        XCTAssertEqual(shell.machine.tallies.slots[8002]?.restarts, 1)
        XCTAssertEqual(shell.machine.tallies.slots[8002]?.lastExit, .signaled(9))
        XCTAssertEqual(shell.machine.tallies.slots[8002]?.lastExitAt, 120)
        XCTAssertNil(shell.machine.tallies.slots[8001], "nothing happened on 8001")
        _ = shell.secondsUntilSpawn(onPort: 8002)
        shell.makeStartingHealthy()
        shell.feed(.signal(.decrease))
        let retired = shell.pid(ofPort: 8002)
        shell.now += 1
        shell.feed(.exited(pid: retired, status: .exited(code: 0)))
        XCTAssertEqual(shell.machine.tallies.slots[8002]?.restarts, 1, "a retired worker is not restarted")
        XCTAssertEqual(shell.machine.tallies.slots[8002]?.lastExit, .exited(code: 0))
        XCTAssertEqual(shell.machine.children.first { $0.port == 8001 }?.startedAt, 100, "uptime counts from the spawn")
    }
}
