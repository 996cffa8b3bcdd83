import SupervisorKit
import XCTest

/// SIGHUP: each worker is replaced in turn by one started on a free port
/// (the spare above the target at first); the old one leaves the rotation
/// only once its replacement is healthy, so the balancer is never empty.
final class RollingRestartTests: XCTestCase {
    func testHangupReplacesOneWorkerAtATimeAfterItsReplacementIsHealthy() {
        var shell = FakeShell(workers: 2)
        shell.startHealthy()
        let old1 = shell.pid(ofPort: 8001), old2 = shell.pid(ofPort: 8002)
        // (event, spawned ports, balancer commands, terminated)
        let first = shell.feed(.signal(.hangup))
        XCTAssertEqual(first.spawnedPorts, [8003])
        XCTAssertEqual(first.terminated, [], "the old one serves until its replacement is healthy")
        XCTAssertEqual(shell.advance(1).spawnedPorts, [], "one at a time")
        let swap1 = shell.feed(.healthy(pid: shell.pid(ofPort: 8003)))
        XCTAssertEqual(swap1.balancerUpdates, [.add(port: 8003), .drain(port: 8001)])
        XCTAssertEqual(swap1.terminated, [old1])
        XCTAssertEqual(swap1.spawnedPorts, [], "the next waits until the old one is gone")
        let gone1 = shell.feed(.exited(pid: old1, status: .exited(code: 0)))
        XCTAssertEqual(gone1.balancerUpdates, [.remove(port: 8001)])
        XCTAssertEqual(gone1.spawnedPorts, [8001], "its port is reused")
        let swap2 = shell.feed(.healthy(pid: shell.pid(ofPort: 8001)))
        XCTAssertEqual(swap2.balancerUpdates, [.add(port: 8001), .drain(port: 8002)])
        XCTAssertEqual(swap2.terminated, [old2])
        let gone2 = shell.feed(.exited(pid: old2, status: .exited(code: 0))) + shell.advance(1)
        XCTAssertFalse(gone2.spawnsAnything, "done")
        XCTAssertEqual(shell.workerPorts, [8001, 8003])
        XCTAssertEqual(shell.rotation, [8001, 8003])
        XCTAssertTrue(Set(shell.allPids).isDisjoint(with: [old1, old2]))
    }

    func testTheRotationIsNeverEmptyAndStaysInThePortRange() {
        let table: [(workers: Int, max: Int)] = [(1, 1), (1, 8), (2, 2), (3, 4), (4, 4)]
        for row in table {
            var shell = FakeShell(workers: row.workers, maxWorkers: row.max)
            shell.startHealthy()
            let range = 8001 ..< 8001 + row.max + 1
            let oldPids = Set(shell.machine.children.filter { $0.role == .worker }.compactMap(\.pid))
            shell.feed(.signal(.hangup))
            for _ in 0..<100 {
                XCTAssertFalse(shell.rotation.isEmpty, "\(row)")
                XCTAssertTrue(shell.machine.children.allSatisfy { $0.role == .balancer || range.contains($0.port) }, "\(row)")
                if shell.makeStartingHealthy().isEmpty {
                    guard let leaving = shell.machine.children.first(where: { $0.retiring }) else { break }
                    shell.feed(.exited(pid: leaving.pid!, status: .exited(code: 0)))
                }
            }
            let workers = shell.machine.children.filter { $0.role == .worker }
            XCTAssertEqual(workers.count, row.workers, "\(row)")
            XCTAssertTrue(Set(workers.compactMap(\.pid)).isDisjoint(with: oldPids), "every worker replaced: \(row)")
            XCTAssertEqual(shell.history.logLines.filter { $0.hasPrefix("replacing worker") }.count, row.workers, "\(row)")
        }
    }

    func testAReplacementThatDiesIsRetriedAndTheOldOneKeepsServing() {
        var shell = FakeShell(workers: 2)
        shell.startHealthy()
        let old1 = shell.pid(ofPort: 8001)
        shell.feed(.signal(.hangup))
        let died = shell.feed(.exited(pid: shell.pid(ofPort: 8003), status: .exited(code: 1)))
        XCTAssertEqual(died.terminated, [])
        XCTAssertEqual(shell.secondsUntilSpawn(onPort: 8003), 0.1, "retried after its backoff")
        XCTAssertFalse(shell.history.terminated.contains(old1))
        XCTAssertEqual(shell.rotation, [8001, 8002])
        XCTAssertEqual(shell.feed(.healthy(pid: shell.pid(ofPort: 8003))).terminated, [old1])
    }

    /// The cluster has served: a replacement that cannot start is retried
    /// after its backoff while the worker it replaces keeps serving.
    func testAReplacementThatCannotBootIsRetriedAndTheOldWorkerServesMeanwhile() {
        var shell = FakeShell(workers: 2)
        shell.startHealthy()
        let old1 = shell.pid(ofPort: 8001)
        shell.feed(.signal(.hangup))
        let failed = shell.feed(.exited(pid: shell.pid(ofPort: 8003), status: .exited(code: 3)))
        XCTAssertFalse(shell.machine.isStopping)
        XCTAssertEqual(failed.terminated, [])
        XCTAssertEqual(shell.secondsUntilSpawn(onPort: 8003), 0.1, "retried after its backoff")
        XCTAssertFalse(shell.history.terminated.contains(old1))
        XCTAssertEqual(shell.rotation, [8001, 8002])
        XCTAssertEqual(shell.machine.tallies.restarts(.worker, .bootFailed), 1)
    }
}
