import SupervisorKit
import XCTest

/// `nextDeadline()`: when the shell must tick next. Never in the past
/// (a shell that obeys it never spins), nil when only events matter.
final class DeadlineTests: XCTestCase {
    func testTheNextDeadlineFollowsProbesBackoffsAndStops() {
        var shell = FakeShell(workers: 2, gracefulTimeout: 30)
        shell.feed(.start)
        XCTAssertEqual(shell.machine.nextDeadline(), shell.now + 0.1, "probe what starts")
        shell.makeStartingHealthy()
        XCTAssertEqual(shell.machine.nextDeadline(), shell.now + 2, "all healthy: only the liveness probes are timed")
        shell.now += 20
        shell.feed(.exited(pid: shell.pid(ofPort: 8002), status: .signaled(9)))
        XCTAssertEqual(shell.machine.nextDeadline(), shell.now + 0.1, "the backoff ends")
        shell.advance(0.1)
        shell.makeStartingHealthy()
        shell.advance(1)
        let probes = shell.machine.children.compactMap { child -> Double? in
            if case .running(_, let liveness) = child.state, child.role == .worker { return liveness.nextProbe }
            return nil
        }
        XCTAssertEqual(shell.machine.nextDeadline(), probes.min(), "an old backoff is no deadline: the next liveness probe is")
        let stopAt = shell.now
        shell.feed(.signal(.terminate))
        XCTAssertEqual(shell.machine.nextDeadline(), stopAt + 30, "the grace of the stop")
    }

    func testTheNextDeadlineIsNeverInThePast() {
        let scripts: [[SupervisorEvent]] = [
            [.start],
            [.start, .signal(.hangup)],
            [.start, .signal(.increase), .signal(.decrease)],
            [.start, .signal(.terminate)],
            [.start, .signal(.interrupt), .signal(.interrupt)],
        ]
        for script in scripts {
            var shell = FakeShell(workers: 2)
            for event in script {
                shell.feed(event)
                for _ in 0..<50 {
                    if let deadline = shell.machine.nextDeadline() {
                        XCTAssertGreaterThan(deadline, shell.now, "\(script)")
                        shell.now = deadline
                    } else {
                        shell.now += 1
                    }
                    shell.feed(.tick)
                    shell.makeStartingHealthy()
                    if let child = shell.machine.children.first(where: { $0.retiring }), child.pid! % 2 == 0 {
                        shell.feed(.exited(pid: child.pid!, status: .exited(code: 0)))
                    }
                }
            }
        }
    }

    func testADeadOldWorkerDuringAReplacementLeavesNoDeadlineBehind() {
        var shell = FakeShell(workers: 2)
        shell.startHealthy()
        shell.feed(.signal(.hangup))
        shell.feed(.exited(pid: shell.pid(ofPort: 8001), status: .signaled(9)))
        shell.feed(.healthy(pid: shell.pid(ofPort: 8003)))
        shell.advance(1)
        let deadline = shell.machine.nextDeadline()
        XCTAssertTrue(deadline == nil || deadline! > shell.now)
    }
}
