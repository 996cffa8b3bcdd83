import SupervisorKit
import XCTest

/// `--autoscale`: target tracking on the workers' CPU, on a fake clock.
/// Each test plays a load as CPU seconds per worker and checks what an
/// operator watching the count would: out fast, in slowly, never flapping,
/// never past the bounds, and a worker drained before it stops.
final class AutoscaleTests: XCTestCase {
    /// A cluster with `--autoscale`, its workers' CPU counters, and a
    /// sampler that advances the clock one interval and reports them.
    struct Rig {
        var shell: FakeShell
        var cpu: [Int32: Double] = [:]

        /// `averaged` 1: each decision on the last interval alone, so the
        /// tests below read second by second; the default (3) has its own test.
        init(workers: Int, min: Int = 1, max: Int = 8, target: Double = 0.6, outCooldown: Double = 10, inCooldown: Double = 30,
             averaged: Int = 1) {
            var config = SupervisorConfig(workers: workers, maxWorkers: max, bootFailureCode: 3)
            var policy = AutoscalePolicy(minWorkers: min, targetUtilization: target)
            policy.scaleOutCooldown = outCooldown
            policy.scaleInCooldown = inCooldown
            policy.averagedSamples = averaged
            config.autoscale = policy
            shell = FakeShell(config: config)
            shell.startHealthy()
        }

        /// One second passes with each serving worker busy `busy` of a core;
        /// new workers become healthy and leaving ones are reaped at once.
        @discardableResult
        mutating func second(busy: Double) -> [SupervisorAction] {
            shell.now += 1
            for child in shell.machine.children where child.role == .worker {
                if let pid = child.pid { cpu[pid, default: 0] += busy }
            }
            var actions = shell.feed(.workerCPU(cpu))
            actions += settle()
            return actions
        }

        @discardableResult
        mutating func seconds(_ count: Int, busy: Double) -> [SupervisorAction] {
            (0..<count).flatMap { _ in second(busy: busy) }
        }

        /// Starting workers become healthy; retiring ones exit.
        @discardableResult
        mutating func settle() -> [SupervisorAction] {
            var actions = shell.makeStartingHealthy()
            for child in shell.machine.children where child.retiring {
                actions += shell.feed(.exited(pid: child.pid!, status: .exited(code: 0)))
            }
            return actions
        }

        var workers: Int { shell.workerPorts.count }
    }

    func testBusyWorkersScaleOutToTheCountThatPutsEachAtTheTarget() {
        var rig = Rig(workers: 2)
        rig.second(busy: 0.9)  // the first sample only sets the baseline
        XCTAssertEqual(rig.workers, 2)
        let actions = rig.second(busy: 0.9)
        // 2 × 0.9 = 1.8 cores; at 0.6 a worker that is 3 workers.
        XCTAssertEqual(rig.workers, 3)
        XCTAssertEqual(rig.shell.rotation, [8001, 8002, 8003], "the new worker gets traffic once healthy")
        XCTAssertTrue(actions.logLines.contains { $0.hasPrefix("autoscale: workers 2 -> 3 (CPU 90 % of a core per worker, target 60 %") },
                      "\(actions.logLines)")
        XCTAssertEqual(rig.shell.machine.tallies.scaleEvents, [.out: 1])
        XCTAssertEqual(rig.shell.machine.autoscaler?.utilization ?? 0, 0.9, accuracy: 1e-9)
    }

    func testAJumpInLoadScalesOutSeveralWorkersAtOnceButNotPastTheMaximum() {
        var rig = Rig(workers: 1, max: 4)
        rig.seconds(2, busy: 3.0)  // a worker cannot use 3 cores, but the arithmetic must clamp
        XCTAssertEqual(rig.workers, 4)
        rig.seconds(30, busy: 1.0)
        XCTAssertEqual(rig.workers, 4, "never past --max-workers")
        XCTAssertEqual(rig.shell.machine.tallies.scaleEvents, [.out: 1])
    }

    func testScaleOutWaitsForItsCooldownAndForNewWorkersToServe() {
        var rig = Rig(workers: 1, outCooldown: 10)
        rig.seconds(2, busy: 0.8)
        XCTAssertEqual(rig.workers, 2)
        // Still too busy: the cool-down holds the count for 10 s.
        rig.seconds(9, busy: 0.8)
        XCTAssertEqual(rig.workers, 2)
        rig.seconds(1, busy: 0.8)
        XCTAssertEqual(rig.workers, 3)

        // While a worker starts, its boot CPU is not load: no decision.
        var unhealthy = Rig(workers: 1, outCooldown: 0)
        unhealthy.seconds(2, busy: 0.8)
        unhealthy.shell.feed(.signal(.increase))  // now 3 wanted, the third still starting
        for _ in 0..<5 {
            unhealthy.shell.now += 1
            for pid in unhealthy.shell.allPids { unhealthy.cpu[pid, default: 0] += 0.95 }
            unhealthy.shell.feed(.workerCPU(unhealthy.cpu))
        }
        XCTAssertEqual(unhealthy.shell.machine.target, 3, "no decision while a worker starts")
    }

    func testLowLoadScalesInOneWorkerAtATimeAfterTheLowStretchAndDrainsIt() {
        var rig = Rig(workers: 4, inCooldown: 30)
        rig.second(busy: 0.1)  // the baseline; the low stretch starts at the next sample
        // 4 × 0.1 = 0.4 cores: one worker would do, but only after 30 s low.
        rig.seconds(30, busy: 0.1)
        XCTAssertEqual(rig.workers, 4)
        let leaving = rig.shell.pid(ofPort: 8004)
        rig.shell.now += 1
        for pid in rig.shell.allPids { rig.cpu[pid, default: 0] += 0.1 }
        let actions = rig.shell.feed(.workerCPU(rig.cpu))
        XCTAssertEqual(rig.shell.machine.target, 3)
        XCTAssertEqual(actions.balancerUpdates, [.drain(port: 8004)], "drained first: in-flight requests finish")
        XCTAssertEqual(actions.terminated, [leaving], "then TERM, never KILL while it drains")
        XCTAssertTrue(actions.logLines.contains { $0.hasPrefix("autoscale: workers 4 -> 3 (CPU 10 % of a core per worker") })
        _ = rig.settle()
        // The next step down waits another full stretch (from the first
        // sample after the move, which only starts the window again).
        rig.seconds(30, busy: 0.4 / 3)
        XCTAssertEqual(rig.workers, 3)
        rig.seconds(2, busy: 0.4 / 3)
        XCTAssertEqual(rig.workers, 2)
        rig.seconds(200, busy: 0.4 / 2)
        XCTAssertEqual(rig.workers, 1, "down to --min-workers")
        XCTAssertEqual(rig.shell.machine.tallies.scaleEvents, [.in: 3])
    }

    func testABurstInTheLowStretchStartsItAgain() {
        var rig = Rig(workers: 2, inCooldown: 30)
        rig.seconds(20, busy: 0.1)
        rig.second(busy: 0.5)  // 2 × 0.5 = 1.0 core: 1 worker would be at 100 %
        rig.seconds(20, busy: 0.1)
        XCTAssertEqual(rig.workers, 2, "20 s low since the burst is not 30")
        rig.seconds(11, busy: 0.1)
        XCTAssertEqual(rig.workers, 1)
    }

    func testLoadInsideTheToleranceBandNeverMovesTheCount() {
        // Target 0.6, tolerance 10 %: out above 0.66 a worker; in only if the
        // rest would stay under 0.54. 3 workers at 0.37 would be 0.555 on 2.
        for busy in [0.37, 0.5, 0.6, 0.65] {
            var rig = Rig(workers: 3)
            rig.seconds(300, busy: busy)
            XCTAssertEqual(rig.workers, 3, "busy \(busy)")
            XCTAssertEqual(rig.shell.machine.tallies.scaleEvents, [:], "busy \(busy)")
        }
    }

    func testNeverBelowTheMinimumAndASignalBelowItIsUndone() {
        var rig = Rig(workers: 2, min: 2)
        rig.seconds(120, busy: 0.0)
        XCTAssertEqual(rig.workers, 2)
        rig.shell.feed(.signal(.decrease))
        rig.settle()
        XCTAssertEqual(rig.workers, 1)
        let actions = rig.second(busy: 0)
        XCTAssertEqual(rig.workers, 2, "the policy brings the count back to --min-workers")
        XCTAssertTrue(actions.logLines.contains { $0.contains("outside --min-workers...--max-workers") })
    }

    func testASignalRestartsTheLowStretch() {
        var rig = Rig(workers: 3, inCooldown: 30)
        rig.seconds(25, busy: 0.1)
        rig.shell.feed(.signal(.increase))
        rig.settle()
        XCTAssertEqual(rig.workers, 4)
        rig.seconds(25, busy: 0.1)
        XCTAssertEqual(rig.workers, 4, "the stretch counts from the signal")
        rig.seconds(10, busy: 0.1)
        XCTAssertEqual(rig.workers, 3)
    }

    func testOnlyServingWorkersCountAndARestartedOneIsMeasuredFromItsSecondSample() {
        var rig = Rig(workers: 2)
        rig.second(busy: 0.2)
        // A stranger's pid (not a worker) reports huge CPU: ignored.
        rig.cpu[4242] = 1000
        rig.second(busy: 0.2)
        rig.cpu[4242] = 5000
        rig.second(busy: 0.2)
        XCTAssertEqual(rig.workers, 2)
        XCTAssertEqual(rig.shell.machine.autoscaler?.utilization ?? 0, 0.2, accuracy: 1e-9)
        // A worker that crashed and came back with a new pid: its counter
        // starts at its own CPU so far, which is not a rate.
        let old = rig.shell.pid(ofPort: 8002)
        rig.shell.now += 20
        rig.shell.feed(.exited(pid: old, status: .signaled(9)))
        _ = rig.shell.secondsUntilSpawn(onPort: 8002)
        _ = rig.settle()
        let reborn = rig.shell.pid(ofPort: 8002)
        rig.cpu[reborn] = 50
        rig.second(busy: 0.2)
        rig.second(busy: 0.2)
        XCTAssertEqual(rig.workers, 2)
        XCTAssertEqual(rig.shell.machine.autoscaler?.utilization ?? 0, 0.2, accuracy: 1e-9)
    }

    func testCPUIsAveragedOverTheWindowSoOneNoisySecondMovesNothing() {
        XCTAssertEqual(AutoscalePolicy(minWorkers: 1, targetUtilization: 0.6).averagedSamples, 3, "the default window")
        var rig = Rig(workers: 2, outCooldown: 0, averaged: 3)
        rig.seconds(4, busy: 0.4)
        rig.second(busy: 1.0)  // one busy second: (0.4 + 0.4 + 1.0) / 3 = 0.6, within the band
        rig.seconds(3, busy: 0.4)
        XCTAssertEqual(rig.workers, 2)
        XCTAssertEqual(rig.shell.machine.autoscaler?.utilization ?? 0, 0.4, accuracy: 1e-9, "the mean of the last three seconds")
        // Busy for real: the window's mean leaves the band at the second busy second.
        rig.second(busy: 1.0)
        XCTAssertEqual(rig.workers, 2, "(0.4 + 0.4 + 1) / 3 = 0.6: still within the band")
        rig.second(busy: 1.0)
        XCTAssertEqual(rig.workers, 3, "(0.4 + 1 + 1) / 3 = 0.8 a worker: 1.6 cores at 0.6 a worker")
        // After a move the window starts again: the next move waits for a full one.
        rig.seconds(3, busy: 1.0)
        XCTAssertEqual(rig.workers, 3)
        rig.second(busy: 1.0)
        XCTAssertEqual(rig.workers, 5, "3 x 1.0 cores at 0.6 a worker")
    }

    func testWithoutAutoscaleSamplesChangeNothing() {
        var shell = FakeShell(workers: 1)
        shell.startHealthy()
        shell.now += 1
        shell.feed(.workerCPU([shell.pid(ofPort: 8001): 0]))
        shell.now += 1
        let actions = shell.feed(.workerCPU([shell.pid(ofPort: 8001): 1]))
        XCTAssertEqual(shell.machine.target, 1)
        XCTAssertFalse(actions.spawnsAnything)
        XCTAssertNil(shell.machine.autoscaler)
    }
}
