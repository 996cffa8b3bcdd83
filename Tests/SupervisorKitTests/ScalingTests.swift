import SupervisorKit
import XCTest

/// SIGTTIN/SIGTTOU move the target within 1...maxWorkers; the workers and
/// the balancer's rotation follow.
final class ScalingTests: XCTestCase {
    func testTtinAndTtouMoveTheTargetWithinBounds() {
        // (start, max, signals, target after, worker ports after)
        let table: [(workers: Int, max: Int, signals: [SupervisorSignal], target: Int, ports: [Int])] = [
            (2, 4, [.increase], 3, [8001, 8002, 8003]),
            (2, 4, [.increase, .increase, .increase, .increase], 4, [8001, 8002, 8003, 8004]),
            (2, 4, [.decrease], 1, [8001]),
            (2, 4, [.decrease, .decrease, .decrease], 1, [8001]),
            (1, 1, [.increase], 1, [8001]),
            (3, 8, [.decrease, .increase, .increase], 4, [8001, 8002, 8003, 8004]),
        ]
        for row in table {
            var shell = FakeShell(workers: row.workers, maxWorkers: row.max)
            shell.startHealthy()
            for signal in row.signals {
                shell.feed(.signal(signal))
                shell.makeStartingHealthy()
                for child in shell.machine.children where child.retiring {
                    shell.feed(.exited(pid: child.pid!, status: .exited(code: 0)))
                }
            }
            XCTAssertEqual(shell.machine.target, row.target, "\(row.signals)")
            XCTAssertEqual(shell.workerPorts, row.ports, "\(row.signals)")
            XCTAssertEqual(shell.rotation, Set(row.ports), "the balancer follows: \(row.signals)")
        }
    }

    func testTtouDrainsTheHighestWorkerTermsItAndRemovesItOnceReaped() {
        var shell = FakeShell(workers: 3)
        shell.startHealthy()
        let victim = shell.pid(ofPort: 8003)
        let actions = shell.feed(.signal(.decrease))
        XCTAssertEqual(actions.balancerUpdates, [.drain(port: 8003)])
        XCTAssertEqual(actions.terminated, [victim])
        XCTAssertEqual(shell.advance(29).killed, [], "in flight may finish for --graceful-timeout")
        XCTAssertEqual(shell.advance(1).killed, [victim])
        let reaped = shell.feed(.exited(pid: victim, status: .signaled(9))) + shell.advance(10)
        XCTAssertEqual(reaped.balancerUpdates, [.remove(port: 8003)])
        XCTAssertFalse(reaped.spawnsAnything, "a retired worker is not respawned")
    }

    func testTtouPrefersAWorkerThatIsStillStarting() {
        var shell = FakeShell(workers: 2)
        shell.startHealthy()
        shell.feed(.signal(.increase))
        let starting = shell.pid(ofPort: 8003)
        let actions = shell.feed(.signal(.decrease))
        XCTAssertEqual(actions.terminated, [starting])
        XCTAssertEqual(actions.balancerUpdates, [], "it never joined the rotation")
        XCTAssertEqual(shell.advance(5).killed, [starting], "nothing in flight: killTimeout")
    }

    func testTtinStartsOnTheNextPortAndAddsItOnceHealthy() {
        var shell = FakeShell(workers: 2)
        shell.startHealthy()
        let actions = shell.feed(.signal(.increase))
        XCTAssertEqual(actions.spawnedPorts, [8003])
        XCTAssertEqual(actions.balancerUpdates, [])
        XCTAssertEqual(shell.feed(.healthy(pid: shell.pid(ofPort: 8003))).balancerUpdates, [.add(port: 8003)])
    }
}
