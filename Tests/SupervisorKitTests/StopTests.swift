import SupervisorKit
import XCTest

/// Stopping: balancer first, workers once it is gone, KILL at deadlines,
/// exit once all are reaped; a second SIGINT kills at once; nothing spawns.
final class StopTests: XCTestCase {
    func testSigtermStopsTheBalancerFirstThenTheWorkersAndExitsZero() {
        var shell = FakeShell(workers: 2)
        shell.startHealthy()
        let balancer = shell.balancerPid, workers = [shell.pid(ofPort: 8001), shell.pid(ofPort: 8002)]
        let stop = shell.feed(.signal(.terminate))
        XCTAssertEqual(stop.terminated, [balancer], "the balancer stops accepting; workers finish its requests")
        XCTAssertEqual(stop.balancerUpdates, [])
        XCTAssertEqual(shell.advance(1).terminated, [])
        let gone = shell.feed(.exited(pid: balancer, status: .exited(code: 0)))
        XCTAssertEqual(gone.terminated, workers)
        shell.feed(.exited(pid: workers[0], status: .exited(code: 0)))
        XCTAssertEqual(shell.advance(28.9).killed, [], "graceful timeout 30 s from the stop")
        XCTAssertEqual(shell.advance(0.1).killed, [workers[1]])
        let end = shell.feed(.exited(pid: workers[1], status: .signaled(9)))
        XCTAssertEqual(end.exitCodes, [0])
        XCTAssertEqual(shell.advance(1).exitCodes, [], "exit once")
        XCTAssertEqual(shell.history.exitCodes, [0])
    }

    func testABalancerThatWillNotStopIsKilledAtTheGraceAndTheWorkersFollow() {
        // Seconds after the stop: balancer KILLed, worker TERMed, worker KILLed.
        let table: [(grace: Double, balancerKilled: Double, workerTermed: Double, workerKilled: Double)] = [
            (30, 30, 30, 35), (2, 2, 2, 7), (0, 0, 0, 5),
        ]
        for row in table {
            var shell = FakeShell(workers: 1, gracefulTimeout: row.grace)
            shell.startHealthy()
            let balancer = shell.balancerPid, worker = shell.pid(ofPort: 8001)
            let start = shell.now
            var killedAt: [Int32: Double] = [:], termedAt: [Int32: Double] = [:]
            var actions = shell.feed(.signal(.interrupt))
            while true {
                for pid in actions.killed { killedAt[pid] = shell.now - start }
                for pid in actions.terminated { termedAt[pid] = shell.now - start }
                guard shell.now - start < 60 else { break }
                actions = shell.advance(0.5)
            }
            XCTAssertEqual(termedAt[balancer], 0, "grace \(row.grace)")
            XCTAssertEqual(killedAt[balancer], row.balancerKilled, "grace \(row.grace)")
            XCTAssertEqual(termedAt[worker], row.workerTermed, "grace \(row.grace)")
            XCTAssertEqual(killedAt[worker], row.workerKilled, "grace \(row.grace)")
        }
    }

    func testASecondInterruptKillsEverythingAtOnce() {
        let table: [(first: SupervisorSignal, second: SupervisorSignal, killsAll: Bool)] = [
            (.interrupt, .interrupt, true), (.terminate, .interrupt, true),
            (.terminate, .terminate, false), (.interrupt, .terminate, false),
        ]
        for row in table {
            var shell = FakeShell(workers: 2)
            shell.startHealthy()
            let pids = shell.allPids
            shell.feed(.signal(row.first))
            let again = shell.feed(.signal(row.second))
            XCTAssertEqual(Set(again.killed), row.killsAll ? Set(pids) : [], "\(row)")
            if row.killsAll {
                let later = shell.advance(60)
                XCTAssertEqual(later.terminated + later.killed, [], "no TERM nor second KILL after KILL")
                var last: [SupervisorAction] = []
                for pid in pids { last = shell.feed(.exited(pid: pid, status: .signaled(9))) }
                XCTAssertEqual(last.exitCodes, [0])
            }
        }
    }

    func testNothingIsSpawnedOnceStopBegins() {
        let events: [SupervisorEvent] = [.signal(.increase), .signal(.hangup), .tick]
        for event in events {
            var shell = FakeShell(workers: 2)
            shell.startHealthy()
            shell.feed(.signal(.terminate))
            var actions = shell.feed(.exited(pid: shell.pid(ofPort: 8001), status: .signaled(9)))
            actions += shell.feed(.exited(pid: shell.balancerPid, status: .exited(code: 0)))
            actions += shell.feed(event) + shell.advance(10)
            XCTAssertFalse(actions.spawnsAnything, "\(event)")
        }
    }

    func testAChildWhosePidComesAfterTheStopIsTermedAtOnce() {
        var shell = FakeShell(workers: 1)
        shell.reportSpawns = false
        let start = shell.feed(.start)
        shell.feed(.signal(.terminate))
        var termed: [Int32] = []
        for (offset, action) in start.enumerated() {
            if case .spawnWorker(let id, _) = action { termed += shell.feed(.spawned(childID: id, pid: Int32(500 + offset))).terminated }
            if case .spawnBalancer(let id, _, _) = action { termed += shell.feed(.spawned(childID: id, pid: Int32(500 + offset))).terminated }
        }
        XCTAssertEqual(termed.count, 2)
    }

    func testAStopWithNoChildrenExitsAtOnce() {
        var machine = SupervisorStateMachine(config: SupervisorConfig(workers: 1, bootFailureCode: 3))
        XCTAssertEqual(machine.handle(.signal(.terminate), now: 0).exitCodes, [0])
    }
}
