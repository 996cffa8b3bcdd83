import SupervisorKit
import XCTest

/// `--balancers K`: K balancers, each on its own port above the workers'
/// (where it is probed) and all on the shared front port; each is a slot of
/// its own (respawned there with its own backoff), every one hears every
/// worker change, the cluster is ready once all are healthy, and a stop
/// TERMs the workers only once every balancer is gone.
final class BalancersTests: XCTestCase {
    private func cluster(workers: Int, balancers: Int, gracefulTimeout: Double = 30) -> FakeShell {
        var config = SupervisorConfig(workers: workers, gracefulTimeout: gracefulTimeout, bootFailureCode: 3)
        config.balancers = balancers
        return FakeShell(config: config)
    }

    private func balancerPorts(_ actions: [SupervisorAction]) -> [Int] {
        actions.compactMap { if case .spawnBalancer(_, let port, _) = $0 { return port } else { return nil } }
    }

    func testStartSpawnsEachBalancerOnItsOwnPortAndIsReadyOnceAllAreHealthy() {
        for balancers in [1, 2, 3] {
            var shell = cluster(workers: 2, balancers: balancers)
            let start = shell.feed(.start)
            // Above the workers' 8001...8008 and the spare 8009.
            XCTAssertEqual(balancerPorts(start), Array(8010..<8010 + balancers))
            for port in [8001, 8002] { XCTAssertEqual(shell.feed(.healthy(pid: shell.pid(ofPort: port))).readyWorkers, []) }
            var ready: [SupervisorAction] = []
            for port in 8010..<8010 + balancers {
                XCTAssertEqual(ready.readyWorkers, [], "balancers: \(balancers)")
                ready = shell.feed(.healthy(pid: shell.pid(ofPort: port)))
            }
            XCTAssertEqual(ready.readyWorkers, [[8001, 8002]], "balancers: \(balancers)")
            let announced = ready.compactMap { if case .ready(let list, _) = $0 { return list.map(\.port) } else { return nil } }
            XCTAssertEqual(announced, [Array(8010..<8010 + balancers)])
        }
    }

    /// Ticks at each deadline the machine asks for until a balancer is
    /// spawned on `port`; how long that took, to the hundredth.
    private func secondsUntilBalancer(onPort port: Int, _ shell: inout FakeShell) -> Double? {
        let start = shell.now
        while let deadline = shell.machine.nextDeadline(), deadline - start <= 10 {
            shell.now = deadline
            if balancerPorts(shell.feed(.tick)).contains(port) { return ((shell.now - start) * 100).rounded() / 100 }
        }
        return nil
    }

    func testADeadBalancerIsRespawnedOnItsOwnPortWithItsOwnBackoff() {
        var shell = cluster(workers: 2, balancers: 2)
        shell.startHealthy()
        shell.now += 20
        let other = shell.pid(ofPort: 8011)
        // The first one dies three times quickly: 0.1, 0.2, 0.4 s.
        var delays: [Double?] = []
        for _ in 0..<3 {
            shell.feed(.exited(pid: shell.pid(ofPort: 8010), status: .signaled(9)))
            delays.append(secondsUntilBalancer(onPort: 8010, &shell))
            shell.makeStartingHealthy()
        }
        XCTAssertEqual(delays, [0.1, 0.2, 0.4])
        XCTAssertEqual(shell.pid(ofPort: 8011), other, "the other balancer was left alone")
        // The other one's first death is its own: the first delay.
        shell.feed(.exited(pid: other, status: .signaled(9)))
        XCTAssertEqual(secondsUntilBalancer(onPort: 8011, &shell), 0.1)
    }

    func testEveryWorkerChangeIsToldOnceForAllBalancersAndANewOneGetsTheServingWorkers() {
        var shell = cluster(workers: 2, balancers: 2)
        shell.startHealthy()
        shell.now += 20
        XCTAssertEqual(shell.feed(.exited(pid: shell.pid(ofPort: 8002), status: .signaled(9))).balancerUpdates, [.remove(port: 8002)],
                       "one line, which the shell writes to every balancer's channel")
        shell.feed(.exited(pid: shell.pid(ofPort: 8010), status: .signaled(9)))
        let respawn = shell.advance(0.1)
        XCTAssertEqual(balancerPorts(respawn), [8010])
        XCTAssertEqual(respawn.balancerSpawns, [[8001]], "the worker still serving, on its command line")
        XCTAssertEqual(shell.feed(.healthy(pid: shell.pid(ofPort: 8002))).balancerUpdates, [.add(port: 8002)])
    }

    func testAStopTermsEveryBalancerFirstAndTheWorkersOnceAllAreGone() {
        var shell = cluster(workers: 2, balancers: 2)
        shell.startHealthy()
        let balancers = [shell.pid(ofPort: 8010), shell.pid(ofPort: 8011)]
        let workers = [shell.pid(ofPort: 8001), shell.pid(ofPort: 8002)]
        XCTAssertEqual(shell.feed(.signal(.terminate)).terminated, balancers)
        XCTAssertEqual(shell.feed(.exited(pid: balancers[0], status: .exited(code: 0))).terminated, [],
                       "one balancer still has connections the workers serve")
        XCTAssertEqual(shell.feed(.exited(pid: balancers[1], status: .exited(code: 0))).terminated, workers)
        for pid in workers { shell.feed(.exited(pid: pid, status: .exited(code: 0))) }
        XCTAssertEqual(shell.history.exitCodes, [0])
        XCTAssertEqual(shell.history.balancerSpawns.count, 2, "no balancer respawned during the stop")
    }
}
