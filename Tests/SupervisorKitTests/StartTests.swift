import SupervisorKit
import XCTest

/// Start: the balancer and N workers on base + i, probes while they start,
/// each worker in the rotation once healthy, the ready line once.
final class StartTests: XCTestCase {
    func testStartSpawnsTheBalancerAndNWorkersOnBasePlusI() {
        let table: [(workers: Int, ports: [Int])] = [
            (1, [8001]), (2, [8001, 8002]), (4, [8001, 8002, 8003, 8004]), (8, Array(8001...8008)),
        ]
        for row in table {
            var shell = FakeShell(workers: row.workers)
            let actions = shell.feed(.start)
            XCTAssertEqual(actions.balancerSpawns, [[]], "workers: \(row.workers)")
            XCTAssertEqual(actions.spawnedPorts, row.ports, "workers: \(row.workers)")
            // Its own port, above the workers' 8001...8008 and the spare 8009.
            XCTAssertEqual(shell.machine.children.first { $0.role == .balancer }?.port, 8010)
        }
    }

    func testReadyComesOnceWhenTheBalancerAndEveryWorkerAreHealthy() {
        // Which child turns healthy in which order; ready after the last.
        let orders: [[Int]] = [[8010, 8001, 8002], [8001, 8002, 8010], [8002, 8010, 8001]]
        for order in orders {
            var shell = FakeShell(workers: 2)
            shell.feed(.start)
            for (step, port) in order.enumerated() {
                let actions = shell.feed(.healthy(pid: shell.pid(ofPort: port)))
                let expected: [[Int]] = step == order.count - 1 ? [[8001, 8002]] : []
                XCTAssertEqual(actions.readyWorkers, expected, "order \(order), step \(step)")
            }
            XCTAssertEqual(shell.advance(1).readyWorkers, [], "ready once")
            XCTAssertEqual(shell.history.readyWorkers.count, 1)
        }
    }

    func testAWorkerJoinsTheRotationOnlyOnceHealthy() {
        var shell = FakeShell(workers: 2)
        shell.feed(.start)
        XCTAssertEqual(shell.rotation, [])
        XCTAssertEqual(shell.feed(.healthy(pid: shell.pid(ofPort: 8001))).balancerUpdates, [.add(port: 8001)])
        XCTAssertEqual(shell.rotation, [8001])
        XCTAssertEqual(shell.feed(.healthy(pid: shell.balancerPid)).balancerUpdates, [], "the balancer is not a backend")
        shell.feed(.healthy(pid: shell.pid(ofPort: 8002)))
        XCTAssertEqual(shell.rotation, [8001, 8002])
        XCTAssertEqual(shell.feed(.healthy(pid: shell.pid(ofPort: 8002))).balancerUpdates, [], "healthy again: no second add")
    }

    func testStartingChildrenAreProbedEachPassAndHealthyOnesAreNot() {
        var shell = FakeShell(workers: 2)
        shell.feed(.start)
        XCTAssertEqual(Set(shell.advance(0.1).probedPids), Set(shell.allPids))
        shell.feed(.healthy(pid: shell.pid(ofPort: 8001)))
        XCTAssertEqual(Set(shell.advance(0.1).probedPids), [shell.balancerPid, shell.pid(ofPort: 8002)])
        shell.makeStartingHealthy()
        XCTAssertEqual(shell.advance(0.1).probedPids, [])
    }

    func testAWorkerNeverHealthyIsTermedThenKilledThenRestarted() {
        var shell = FakeShell(workers: 1)
        shell.feed(.start)
        shell.feed(.healthy(pid: shell.balancerPid))
        let stuck = shell.pid(ofPort: 8001)
        XCTAssertEqual(shell.advance(29.9).terminated, [])
        XCTAssertEqual(shell.advance(0.1).terminated, [stuck], "startTimeout 30 s")
        XCTAssertEqual(shell.advance(4.9).killed, [])
        XCTAssertEqual(shell.advance(0.1).killed, [stuck], "killTimeout 5 s")
        shell.feed(.exited(pid: stuck, status: .signaled(9)))
        XCTAssertNotNil(shell.secondsUntilSpawn(onPort: 8001))
    }

    func testATargetOutsideOneToMaxIsClamped() {
        let table: [(workers: Int, max: Int, target: Int)] = [(0, 8, 1), (9, 8, 8), (3, 8, 3), (5, 2, 2)]
        for row in table {
            let machine = SupervisorStateMachine(config: SupervisorConfig(workers: row.workers, maxWorkers: row.max, bootFailureCode: 3))
            XCTAssertEqual(machine.target, row.target, "\(row)")
        }
    }
}
