import SupervisorKit
import XCTest

/// Liveness: a running worker is probed every `livenessInterval`; after
/// `livenessFailures` failed probes in a row it is taken out of the
/// rotation, killed and respawned with the usual backoff.
final class LivenessTests: XCTestCase {
    func testRunningWorkersAreProbedEveryIntervalAndTheBalancerNever() {
        var shell = FakeShell(workers: 2)
        shell.startHealthy()
        XCTAssertEqual(shell.advance(1).probedPids, [], "not due yet")
        let due = shell.advance(1).probedPids
        XCTAssertEqual(Set(due), [shell.pid(ofPort: 8001), shell.pid(ofPort: 8002)])
        XCTAssertFalse(due.contains(shell.balancerPid), "a stopped balancer still completes a TCP connect")
        XCTAssertEqual(shell.advance(1).probedPids, [], "once per interval")
        XCTAssertEqual(shell.advance(1).probedPids.count, 2)
    }

    func testThreeFailedProbesInARowKillAndReplaceTheWorker() {
        var shell = FakeShell(workers: 2)
        shell.startHealthy()
        let hung = shell.pid(ofPort: 8001)
        for failure in 1...2 {
            shell.advance(2)
            let actions = shell.feed(.unhealthy(pid: hung))
            XCTAssertEqual(actions.killed, [], "failure \(failure) of 3")
            XCTAssertEqual(shell.rotation, [8001, 8002])
        }
        shell.advance(2)
        let third = shell.feed(.unhealthy(pid: hung))
        XCTAssertEqual(third.balancerUpdates, [.remove(port: 8001)], "out of the rotation at once")
        XCTAssertEqual(third.killed, [hung])
        XCTAssertTrue(third.logLines.contains { $0.contains("liveness") }, "the log says why")
        XCTAssertEqual(shell.rotation, [8002])
        shell.feed(.exited(pid: hung, status: .signaled(9)))
        XCTAssertEqual(shell.secondsUntilSpawn(onPort: 8001), 0.1, "respawned with the usual backoff")
        XCTAssertNotEqual(shell.pid(ofPort: 8001), hung)
    }

    func testAnAnswerBetweenFailuresStartsTheCountAgain() {
        var shell = FakeShell(workers: 1)
        shell.startHealthy()
        let worker = shell.pid(ofPort: 8001)
        for event: SupervisorEvent in [.unhealthy(pid: worker), .unhealthy(pid: worker), .healthy(pid: worker),
                                       .unhealthy(pid: worker), .unhealthy(pid: worker)] {
            shell.advance(2)
            XCTAssertEqual(shell.feed(event).killed, [], "\(event)")
        }
        shell.advance(2)
        XCTAssertEqual(shell.feed(.unhealthy(pid: worker)).killed, [worker], "three in a row at last")
    }

    func testFailedProbesOfAStartingWorkerOrDuringAStopKillNothing() {
        var starting = FakeShell(workers: 1)
        starting.feed(.start)
        let pid = starting.pid(ofPort: 8001)
        for _ in 0..<5 {
            XCTAssertEqual(starting.feed(.unhealthy(pid: pid)), [], "startTimeout covers it; no probe again at once")
        }

        var stopping = FakeShell(workers: 1)
        stopping.startHealthy()
        let worker = stopping.pid(ofPort: 8001)
        stopping.feed(.signal(.terminate))
        for _ in 0..<5 { XCTAssertEqual(stopping.feed(.unhealthy(pid: worker)).killed, [], "the stop decides now") }
        XCTAssertEqual(stopping.advance(2).probedPids, [], "no liveness probes while stopping")
    }

    func testTheIntervalAndCountAreSettings() {
        var config = SupervisorConfig(workers: 1, bootFailureCode: 3)
        config.livenessInterval = 0.5
        config.livenessFailures = 1
        var shell = FakeShell(config: config)
        shell.startHealthy()
        XCTAssertEqual(shell.advance(0.5).probedPids, [shell.pid(ofPort: 8001)])
        XCTAssertEqual(shell.feed(.unhealthy(pid: shell.pid(ofPort: 8001))).killed.count, 1)
    }
}
