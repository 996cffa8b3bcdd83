/// The machine's answers to what the shell reports: a pid, an exit, a
/// healthy probe, a signal. Each is followed by the convergence pass.
extension SupervisorStateMachine {
    mutating func childSpawned(id: Int, pid: Int32) -> [SupervisorAction] {
        guard let index = index(ofID: id) else { return [] }
        children[index].pid = pid
        let child = children[index]
        var actions: [SupervisorAction] = [.log("booting \(Self.name(child)) (pid \(pid)) on :\(child.port)")]
        // Stop began between the spawn decision and its pid.
        if child.isStopping { actions.append(killedAll ? .kill(pid: pid) : .terminate(pid: pid)) }
        return actions
    }

    mutating func childExited(pid: Int32, status: ExitStatus, now: Double) -> [SupervisorAction] {
        guard let index = index(ofPID: pid) else { return [] }
        let child = children.remove(at: index)
        tallies.exited(on: child.port, status, at: now)
        var actions: [SupervisorAction] = [.log("\(Self.name(child)) (pid \(pid)) on :\(child.port) \(status)")]
        if child.role == .worker { actions += tell(.remove(port: child.port)) }
        if let pair = replacement, pair.new == child.id || pair.old == child.id {
            replacement = nil
            // The replacement died before it was healthy: its worker is
            // still to replace, first.
            if pair.new == child.id { pendingRestarts.insert(pair.old, at: 0) }
        }
        guard phase == .running, !child.retiring else { return actions }
        // The code means "cannot start" (gunicorn's WORKER_BOOT_ERROR).
        // Before the cluster was ever ready it is the command line or the
        // machine (a port taken, a store not writable): respawning would
        // fail the same way, so stop and say so. Once it served, the cause
        // is more likely passing (a network store's mount cut off): keep
        // the healthy children serving and retry with the usual backoff.
        if status == .exited(code: config.bootFailureCode) {
            guard announcedReady else {
                actions.append(.log("\(Self.name(child)) on :\(child.port) could not start (exit \(config.bootFailureCode)); stopping the cluster"))
                return actions + beginStop(now: now, code: config.bootFailureCode)
            }
            actions.append(.log("\(Self.name(child)) on :\(child.port) could not start (exit \(config.bootFailureCode)); the cluster has served, so it is retried"))
            return actions + scheduleRestart(of: child, because: .bootFailed, now: now)
        }
        return actions + scheduleRestart(of: child, because: child.restartCause ?? .crashed, now: now)
    }

    /// The backoff before `child`'s port is started again: 100 ms, doubled
    /// on each quick death up to the most, from the first again once it
    /// had been up `stableAfter`.
    private mutating func scheduleRestart(of child: Child, because cause: RestartCause, now: Double) -> [SupervisorAction] {
        let uptime: Double
        switch child.state {
        case .running(let since, _), .starting(let since): uptime = now - since
        case .stopping: uptime = 0
        }
        let previous = backoff[child.port]?.delay
        let delay = previous.map { uptime >= config.stableAfter ? config.initialBackoff : min($0 * 2, config.maxBackoff) }
            ?? config.initialBackoff
        backoff[child.port] = (delay, now + delay)
        tallies.restarted(child.role, on: child.port, because: cause)
        return [.log("restarting \(Self.name(child)) on :\(child.port) in \(Int((delay * 1000).rounded())) ms")]
    }

    mutating func childHealthy(pid: Int32, now: Double) -> [SupervisorAction] {
        guard let index = index(ofPID: pid), !isStopping else { return [] }
        if case .running(let since, var liveness) = children[index].state {
            liveness.failures = 0  // a live answer: the count of failures starts again
            children[index].state = .running(since: since, liveness: liveness)
            return []
        }
        guard children[index].isStarting else { return [] }
        children[index].state = .running(since: now, liveness: Liveness(nextProbe: now + config.livenessInterval))
        let child = children[index]
        var actions: [SupervisorAction] = [.log("\(Self.name(child)) (pid \(pid)) on :\(child.port) is healthy")]
        guard child.role == .worker else { return actions }
        actions += tell(.add(port: child.port))
        if let pair = replacement, pair.new == child.id {
            replacement = nil
            if let old = self.index(ofID: pair.old) { actions += retire(at: old, now: now) }
        }
        return actions
    }

    /// A liveness probe of a running worker failed (no answer in time, or
    /// not 200). After `livenessFailures` in a row the worker is hung: out
    /// of the rotation, KILLed, and respawned with the usual backoff when
    /// it is reaped. A starting child's failed probes mean nothing: its
    /// `startTimeout` covers it.
    mutating func childUnhealthy(pid: Int32, now: Double) -> [SupervisorAction] {
        guard phase == .running, let index = index(ofPID: pid),
              case .running(let since, var liveness) = children[index].state else { return [] }
        liveness.failures += 1
        guard liveness.failures >= config.livenessFailures else {
            children[index].state = .running(since: since, liveness: liveness)
            return []
        }
        let child = children[index]
        children[index].state = .stopping(deadline: .infinity)
        children[index].restartCause = .hung
        return [.log("\(Self.name(child)) (pid \(pid)) on :\(child.port) failed \(liveness.failures) liveness probes in a row; killing it")]
            + tell(.remove(port: child.port)) + [.kill(pid: pid)]
    }

    mutating func handle(_ signal: SupervisorSignal, now: Double) -> [SupervisorAction] {
        switch signal {
        case .interrupt where isStopping:
            return killAll()
        case .terminate, .interrupt:
            guard !isStopping else { return [.log("already stopping; a second SIGINT stops at once")] }
            return [.log("stopping gracefully (up to \(Int(config.gracefulTimeout)) s for in-flight requests)")]
                + beginStop(now: now, code: 0)
        case .hangup:
            guard phase == .running else { return [] }
            pendingRestarts = liveWorkers.map(\.id)
            return [.log("restarting \(pendingRestarts.count) workers one at a time")]
        case .increase:
            guard phase == .running else { return [] }
            guard target < config.maxWorkers else { return [.log("workers: target \(target) already at --max-workers")] }
            target += 1
            tallies.scaled(.out)
            autoscaler?.targetMoved(now: now)
            return [.log("workers: target \(target)")]
        case .decrease:
            guard phase == .running else { return [] }
            guard target > 1 else { return [.log("workers: target already 1")] }
            target -= 1
            tallies.scaled(.in)
            autoscaler?.targetMoved(now: now)
            return [.log("workers: target \(target)")]
        }
    }
}
