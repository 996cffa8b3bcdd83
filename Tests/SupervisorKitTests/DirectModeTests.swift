import SupervisorKit
import XCTest

/// Direct mode (`balancers` 0): no balancer is spawned or told anything;
/// the workers accept on the front port themselves, so a worker leaves by
/// TERM alone (it stops accepting, then drains), and a stop TERMs every
/// worker at once, as there is no balancer to wait for.
final class DirectModeTests: XCTestCase {
    private func direct(workers: Int, gracefulTimeout: Double = 30) -> FakeShell {
        var config = SupervisorConfig(workers: workers, gracefulTimeout: gracefulTimeout, bootFailureCode: 3)
        config.balancers = 0
        return FakeShell(config: config)
    }

    func testStartSpawnsOnlyWorkersAndIsReadyOnceTheyAreHealthy() {
        for workers in [1, 2, 4] {
            var shell = direct(workers: workers)
            let start = shell.feed(.start)
            XCTAssertEqual(start.balancerSpawns, [], "workers: \(workers)")
            XCTAssertEqual(start.spawnedPorts, Array(8001..<8001 + workers))
            var ready: [SupervisorAction] = []
            for port in 8001..<8001 + workers {
                XCTAssertEqual(ready.readyWorkers, [], "not before the last worker is healthy")
                ready = shell.feed(.healthy(pid: shell.pid(ofPort: port)))
            }
            XCTAssertEqual(ready.readyWorkers, [Array(8001..<8001 + workers)])
            XCTAssertTrue(ready.contains { if case .ready(let balancers, _) = $0 { balancers.isEmpty } else { false } })
            XCTAssertEqual(shell.history.balancerUpdates, [], "nobody to tell")
        }
    }

    func testSigtermTermsEveryRunningWorkerAtOnceAndExitsOnceTheyAreReaped() {
        var shell = direct(workers: 3)
        shell.startHealthy()
        let workers = [8001, 8002, 8003].map(shell.pid(ofPort:))
        let stop = shell.feed(.signal(.terminate))
        XCTAssertEqual(stop.terminated, workers, "each stops accepting on the shared socket and drains")
        XCTAssertEqual(stop.killed, [])
        for pid in workers.dropLast() { XCTAssertEqual(shell.feed(.exited(pid: pid, status: .exited(code: 0))).exitCodes, []) }
        XCTAssertEqual(shell.advance(29.9).killed, [], "in-flight requests get the graceful timeout")
        XCTAssertEqual(shell.advance(0.1).killed, [workers[2]])
        XCTAssertEqual(shell.feed(.exited(pid: workers[2], status: .signaled(9))).exitCodes, [0])
    }

    func testHangupTermsEachOldWorkerOnlyOnceItsReplacementIsHealthy() {
        var shell = direct(workers: 2)
        shell.startHealthy()
        let old = [shell.pid(ofPort: 8001), shell.pid(ofPort: 8002)]
        let hup = shell.feed(.signal(.hangup))
        XCTAssertEqual(hup.spawnedPorts, [8003], "the spare port")
        XCTAssertEqual(hup.terminated, [], "the old one keeps accepting while its replacement boots")
        let healthy = shell.feed(.healthy(pid: shell.pid(ofPort: 8003)))
        XCTAssertEqual(healthy.terminated, [old[0]])
        XCTAssertEqual(healthy.balancerUpdates, [], "no drain line: the TERMed worker stops accepting itself")
        let second = shell.feed(.exited(pid: old[0], status: .exited(code: 0)))
        XCTAssertEqual(second.spawnedPorts, [8001], "then the next, on the port just freed")
        XCTAssertEqual(shell.feed(.healthy(pid: shell.pid(ofPort: 8001))).terminated, [old[1]])
        shell.feed(.exited(pid: old[1], status: .exited(code: 0)))
        XCTAssertEqual(shell.workerPorts, [8001, 8003])
    }

    func testAKilledWorkerIsRespawnedOnItsPortAfterTheBackoffAndTtinTtouWork() {
        var shell = direct(workers: 2)
        shell.startHealthy()
        shell.now += 20
        XCTAssertEqual(shell.feed(.exited(pid: shell.pid(ofPort: 8002), status: .signaled(9))).spawnedPorts, [])
        XCTAssertEqual(shell.secondsUntilSpawn(onPort: 8002), 0.1)
        shell.makeStartingHealthy()
        XCTAssertEqual(shell.feed(.signal(.increase)).spawnedPorts, [8003])
        shell.makeStartingHealthy()
        let victim = shell.pid(ofPort: 8003)
        let ttou = shell.feed(.signal(.decrease))
        XCTAssertEqual(ttou.terminated, [victim])
        XCTAssertEqual(shell.history.balancerUpdates, [])
    }
}
