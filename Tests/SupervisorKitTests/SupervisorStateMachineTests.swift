import SupervisorKit
import XCTest

/// The supervisor's decisions on a fake clock: no processes, no sockets.
final class SupervisorStateMachineTests: XCTestCase {
    private var machine = SupervisorStateMachine(config: SupervisorConfig(workers: 2, maxWorkers: 4, gracefulTimeout: 5))
    private var now = 100.0
    private var nextPid: Int32 = 1000

    /// Feeds an event and plays the shell: every spawn gets a pid at once.
    @discardableResult
    private func feed(_ event: SupervisorEvent) -> [SupervisorAction] {
        var all: [SupervisorAction] = []
        var queue = [event]
        while !queue.isEmpty {
            let actions = machine.handle(queue.removeFirst(), now: now)
            all += actions
            for action in actions {
                switch action {
                case .spawnWorker(let id, _), .spawnBalancer(let id, _):
                    nextPid += 1
                    queue.append(.spawned(childID: id, pid: nextPid))
                default: break
                }
            }
        }
        return all
    }

    private func pid(ofPort port: Int) -> Int32 { machine.children.first { $0.port == port }!.pid! }

    private func startHealthyCluster() {
        feed(.start)
        for child in machine.children { feed(.healthy(pid: child.pid!)) }
    }

    func testStartSpawnsBalancerAndWorkersAndIsReadyOnlyWhenAllAreHealthy() {
        let actions = feed(.start)
        XCTAssertTrue(actions.contains(.spawnBalancer(childID: 1, backends: [])))
        XCTAssertEqual(actions.filter { if case .spawnWorker = $0 { return true } else { return false } }.count, 2)
        XCTAssertEqual(Set(machine.children.map(\.port)), [8000, 8001, 8002])
        var ready = feed(.healthy(pid: pid(ofPort: 8000))) + feed(.healthy(pid: pid(ofPort: 8001)))
        XCTAssertFalse(ready.contains { if case .ready = $0 { return true } else { return false } })
        ready = feed(.healthy(pid: pid(ofPort: 8002)))
        XCTAssertEqual(ready.filter { if case .ready = $0 { return true } else { return false } }.count, 1)
        XCTAssertTrue(ready.contains(.tellBalancer(.add(port: 8002))))
        XCTAssertTrue(feed(.tick).allSatisfy { if case .ready = $0 { return false } else { return true } }, "ready once")
    }

    func testStartingChildrenAreProbedOnEachTick() {
        feed(.start)
        let probes = feed(.tick).filter { if case .probe = $0 { return true } else { return false } }
        XCTAssertEqual(probes.count, 3)
    }

    func testADeadWorkerIsRemovedAtOnceAndRestartedWithDoublingBackoff() {
        startHealthyCluster()
        now += 1
        let died = feed(.exited(pid: pid(ofPort: 8001), status: .signaled(9)))
        XCTAssertTrue(died.contains(.tellBalancer(.remove(port: 8001))))
        XCTAssertFalse(died.contains { if case .spawnWorker = $0 { return true } else { return false } }, "waits its backoff")
        now += 0.05
        XCTAssertFalse(feed(.tick).contains { if case .spawnWorker = $0 { return true } else { return false } })
        now += 0.06
        XCTAssertTrue(feed(.tick).contains { if case .spawnWorker(_, 8001) = $0 { return true } else { return false } })
        // It dies again at once: the delay doubles to 200 ms.
        now += 0.01
        feed(.exited(pid: pid(ofPort: 8001), status: .exited(code: 1)))
        now += 0.15
        XCTAssertFalse(feed(.tick).contains { if case .spawnWorker = $0 { return true } else { return false } })
        now += 0.06
        XCTAssertTrue(feed(.tick).contains { if case .spawnWorker(_, 8001) = $0 { return true } else { return false } })
        let healthy = feed(.healthy(pid: pid(ofPort: 8001)))
        XCTAssertTrue(healthy.contains(.tellBalancer(.add(port: 8001))), "traffic only once healthy")
    }

    func testBackoffIsCappedAndResetAfterAStableRun() {
        startHealthyCluster()
        var delays: [Double] = []
        for _ in 0..<8 {
            let before = now
            feed(.exited(pid: pid(ofPort: 8002), status: .exited(code: 1)))
            while !feed(.tick).contains(where: { if case .spawnWorker = $0 { return true } else { return false } }) { now += 0.01 }
            delays.append(((now - before) * 100).rounded() / 100)
        }
        XCTAssertEqual(delays.first, 0.1)
        XCTAssertEqual(delays.last, 5)
        feed(.healthy(pid: pid(ofPort: 8002)))
        now += 11
        let before = now
        feed(.exited(pid: pid(ofPort: 8002), status: .exited(code: 1)))
        while !feed(.tick).contains(where: { if case .spawnWorker = $0 { return true } else { return false } }) { now += 0.01 }
        XCTAssertEqual(((now - before) * 100).rounded() / 100, 0.1, "reset after staying up")
    }

    func testBootFailureStopsTheClusterInsteadOfRespawning() {
        feed(.start)
        let actions = feed(.exited(pid: pid(ofPort: 8000), status: .exited(code: 3)))
        XCTAssertFalse(actions.contains { if case .spawnBalancer = $0 { return true } else { return false } })
        XCTAssertTrue(actions.contains(.terminate(pid: pid(ofPort: 8001))))
        for child in machine.children { feed(.exited(pid: child.pid!, status: .signaled(15))) }
        XCTAssertTrue(feed(.tick).contains(.exit(code: 3)) || machine.children.isEmpty)
    }

    func testTtinAndTtouChangeTheCountWithinBounds() {
        startHealthyCluster()
        XCTAssertTrue(feed(.signal(.increase)).contains { if case .spawnWorker(_, 8003) = $0 { return true } else { return false } })
        feed(.healthy(pid: pid(ofPort: 8003)))
        feed(.signal(.increase))
        feed(.healthy(pid: pid(ofPort: 8004)))
        feed(.signal(.increase))
        XCTAssertEqual(machine.target, 4, "never above --max-workers")
        let removed = feed(.signal(.decrease))
        XCTAssertTrue(removed.contains(.tellBalancer(.remove(port: 8004))))
        XCTAssertTrue(removed.contains(.terminate(pid: pid(ofPort: 8004))))
        for _ in 0..<5 { feed(.signal(.decrease)) }
        XCTAssertEqual(machine.target, 1, "never below one")
    }

    func testSigtermTermsEveryoneThenKillsAtTheDeadlineAndExitsZero() {
        startHealthyCluster()
        let pids = machine.children.map { $0.pid! }
        let stop = feed(.signal(.terminate))
        for pid in pids { XCTAssertTrue(stop.contains(.terminate(pid: pid))) }
        feed(.exited(pid: pids[0], status: .exited(code: 0)))
        now += 6
        let late = feed(.tick)
        XCTAssertTrue(late.contains(.kill(pid: pids[1])))
        XCTAssertFalse(late.contains { if case .spawnWorker = $0 { return true } else { return false } }, "nothing respawns on stop")
        feed(.exited(pid: pids[1], status: .signaled(9)))
        XCTAssertTrue(feed(.exited(pid: pids[2], status: .signaled(9))).contains(.exit(code: 0)))
    }

    func testASecondInterruptKillsAtOnce() {
        startHealthyCluster()
        feed(.signal(.interrupt))
        let again = feed(.signal(.interrupt))
        XCTAssertEqual(again.filter { if case .kill = $0 { return true } else { return false } }.count, 3)
    }

    func testHangupReplacesWorkersOneAtATimeAfterTheNewOneIsHealthy() {
        startHealthyCluster()
        let old1 = pid(ofPort: 8001), old2 = pid(ofPort: 8002)
        let first = feed(.signal(.hangup))
        XCTAssertTrue(first.contains { if case .spawnWorker(_, 8003) = $0 { return true } else { return false } })
        XCTAssertFalse(first.contains(.terminate(pid: old1)), "the old one serves until its replacement is healthy")
        let swap = feed(.healthy(pid: pid(ofPort: 8003)))
        XCTAssertTrue(swap.contains(.tellBalancer(.add(port: 8003))))
        XCTAssertTrue(swap.contains(.tellBalancer(.remove(port: 8001))))
        XCTAssertTrue(swap.contains(.terminate(pid: old1)))
        let next = feed(.exited(pid: old1, status: .exited(code: 0)))
        XCTAssertTrue(next.contains { if case .spawnWorker(_, 8001) = $0 { return true } else { return false } })
        let swap2 = feed(.healthy(pid: pid(ofPort: 8001)))
        XCTAssertTrue(swap2.contains(.terminate(pid: old2)))
        feed(.exited(pid: old2, status: .exited(code: 0)))
        XCTAssertEqual(machine.children.filter { $0.role == .worker }.count, 2)
    }

    func testABalancerThatDiesIsRestartedKnowingTheHealthyWorkers() {
        startHealthyCluster()
        feed(.exited(pid: pid(ofPort: 8000), status: .signaled(9)))
        now += 0.2
        let restart = feed(.tick)
        XCTAssertTrue(restart.contains { if case .spawnBalancer(_, [8001, 8002]) = $0 { return true } else { return false } })
    }
}
