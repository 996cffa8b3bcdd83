import SupervisorKit
import XCTest

/// Healing: what dies is restarted after a doubling backoff, the balancer
/// is told at once, and the boot-failure code halts instead.
final class HealingTests: XCTestCase {
    func testADeadWorkerLeavesTheRotationAtOnceAndIsBackAfterAbout100ms() {
        var shell = FakeShell(workers: 2)
        shell.startHealthy()
        shell.now += 20
        let died = shell.feed(.exited(pid: shell.pid(ofPort: 8001), status: .signaled(9)))
        XCTAssertEqual(died.balancerUpdates, [.remove(port: 8001)])
        XCTAssertEqual(shell.rotation, [8002])
        XCTAssertFalse(died.spawnsAnything, "waits its backoff")
        XCTAssertEqual(shell.secondsUntilSpawn(onPort: 8001), 0.1)
        XCTAssertEqual(shell.rotation, [8002], "not before it is healthy")
        XCTAssertEqual(shell.feed(.healthy(pid: shell.pid(ofPort: 8001))).balancerUpdates, [.add(port: 8001)])
    }

    func testQuickDeathsDoubleTheBackoffUpToTheCap() {
        var shell = FakeShell(workers: 2)
        shell.startHealthy()
        let expected: [Double] = [0.1, 0.2, 0.4, 0.8, 1.6, 3.2, 5, 5]
        for (death, delay) in expected.enumerated() {
            shell.now += 0.5  // up half a second: a quick death
            shell.feed(.exited(pid: shell.pid(ofPort: 8002), status: .exited(code: 1)))
            XCTAssertEqual(shell.secondsUntilSpawn(onPort: 8002), delay, "death \(death + 1)")
        }
    }

    func testTheBackoffResetsOnceTheChildStayedUp() {
        let table: [(uptime: Double, delay: Double)] = [(9, 0.8), (10, 0.1), (60, 0.1)]
        for row in table {
            var shell = FakeShell(workers: 1)
            shell.startHealthy()
            for _ in 0..<3 {  // 0.1, 0.2, 0.4
                shell.feed(.exited(pid: shell.pid(ofPort: 8001), status: .exited(code: 1)))
                _ = shell.secondsUntilSpawn(onPort: 8001)
            }
            shell.feed(.healthy(pid: shell.pid(ofPort: 8001)))
            shell.now += row.uptime
            shell.feed(.exited(pid: shell.pid(ofPort: 8001), status: .signaled(11)))
            XCTAssertEqual(shell.secondsUntilSpawn(onPort: 8001), row.delay, "up \(row.uptime) s")
        }
    }

    func testTheBootFailureCodeBeforeReadyHaltsTheClusterAndOtherEndsRespawn() {
        let table: [(role: ChildRole, status: ExitStatus, halts: Bool)] = [
            (.worker, .exited(code: 3), true), (.balancer, .exited(code: 3), true),
            (.worker, .exited(code: 1), false), (.worker, .exited(code: 0), false),
            (.worker, .signaled(9), false), (.balancer, .signaled(3), false),
        ]
        for row in table {
            var shell = FakeShell(workers: 2)
            shell.feed(.start)
            let victim = row.role == .balancer ? shell.balancerPid : shell.pid(ofPort: 8002)
            let others = shell.allPids.filter { $0 != victim }
            let actions = shell.feed(.exited(pid: victim, status: row.status)) + shell.advance(6)
            XCTAssertEqual(actions.spawnsAnything, !row.halts, "\(row)")
            XCTAssertEqual(shell.machine.isStopping, row.halts, "\(row)")
            guard row.halts else { continue }
            for pid in others { shell.feed(.exited(pid: pid, status: .signaled(15))) }
            XCTAssertEqual(shell.history.exitCodes, [3], "\(row)")
        }
    }

    /// Once the cluster was ready, exit 3 is taken for a passing cause (a
    /// store's mount cut off): the others keep serving, and the port is
    /// retried with the usual doubling backoff for as long as it fails.
    func testTheBootFailureCodeAfterReadyIsRetriedWithBackoff() {
        for role in [ChildRole.worker, .balancer] {
            var shell = FakeShell(workers: 2)
            shell.startHealthy()
            let port = role == .balancer ? shell.machine.children.first { $0.role == .balancer }!.port : 8002
            var delays: [Double] = []
            for _ in 0..<4 {
                let victim = role == .balancer ? shell.balancerPid : shell.pid(ofPort: port)
                let actions = shell.feed(.exited(pid: victim, status: .exited(code: 3)))
                XCTAssertFalse(shell.machine.isStopping, "\(role)")
                XCTAssertEqual(actions.terminated, [], "\(role): no other child is stopped")
                delays.append(shell.secondsUntilSpawn(onPort: port) ?? -1)
            }
            XCTAssertEqual(delays, [0.1, 0.2, 0.4, 0.8], "\(role)")
            XCTAssertEqual(shell.machine.tallies.restarts(role, .bootFailed), 4, "\(role)")
            XCTAssertEqual(shell.history.exitCodes, [], "\(role)")
        }
    }

    func testASpawnThatFailsStopsTheClusterWithTheBootFailureCode() {
        var shell = FakeShell(workers: 1)
        shell.reportSpawns = false
        let start = shell.feed(.start)
        guard case .spawnBalancer(let balancerID, _, _) = start.first(where: { if case .spawnBalancer = $0 { true } else { false } }),
              case .spawnWorker(let workerID, _) = start.first(where: { if case .spawnWorker = $0 { true } else { false } }) else {
            return XCTFail("nothing spawned")
        }
        shell.feed(.spawned(childID: balancerID, pid: 77))
        let failed = shell.feed(.spawnFailed(childID: workerID, reason: "no such file"))
        XCTAssertEqual(failed.terminated, [77])
        XCTAssertFalse(failed.spawnsAnything)
        XCTAssertEqual(shell.feed(.exited(pid: 77, status: .exited(code: 0))).exitCodes, [3])
    }

    func testADeadBalancerIsRespawnedWithTheHealthyWorkersOnItsCommandLine() {
        var shell = FakeShell(workers: 3)
        shell.startHealthy()
        shell.now += 20
        shell.feed(.exited(pid: shell.balancerPid, status: .signaled(9)))
        // While no balancer runs: a worker dies, nobody is told.
        XCTAssertEqual(shell.feed(.exited(pid: shell.pid(ofPort: 8002), status: .signaled(9))).balancerUpdates, [])
        let respawn = shell.advance(0.1)
        XCTAssertEqual(respawn.balancerSpawns, [[8001, 8003]])
        XCTAssertEqual(respawn.spawnedPorts, [8002])
        // The worker healthy while the new balancer starts is told on its channel.
        XCTAssertEqual(shell.feed(.healthy(pid: shell.pid(ofPort: 8002))).balancerUpdates, [.add(port: 8002)])
        XCTAssertEqual(shell.rotation, [8001, 8002, 8003])
        XCTAssertEqual(shell.feed(.healthy(pid: shell.balancerPid)).readyWorkers, [], "ready was said once already")
    }
}
