/// One convergence pass (gunicorn's manage_workers): enforce deadlines,
/// probe what starts, start what is missing once its backoff allows,
/// retire what is too many, replace one worker after SIGHUP, and say
/// "ready" once. Only the target and the children decide; signals and
/// exits only change them.
extension SupervisorStateMachine {
    mutating func converge(now: Double) -> [SupervisorAction] {
        var actions = enforceDeadlines(now: now)
        switch phase {
        case .idle:
            return actions
        case .stopping(let graceDeadline):
            return actions + stopPass(now: now, graceDeadline: graceDeadline)
        case .running:
            break
        }
        for child in children where child.isStarting {
            if let pid = child.pid { actions.append(.probe(pid: pid, role: child.role, port: child.port)) }
        }
        actions += probeLiveness(now: now)
        // Each balancer slot is its own port; one that died is reborn there
        // after its backoff, with the workers serving now on its command line.
        let held = Set(balancers.map(\.port))
        for port in config.balancerPorts where !held.contains(port) && mayStart(port: port, now: now) {
            let id = makeChild(role: .balancer, port: port, now: now)
            actions.append(.spawnBalancer(childID: id, port: port, backends: liveWorkers.filter(\.isRunning).map(\.port).sorted()))
        }
        actions += convergeWorkers(now: now)
        let fronts = balancers
        if !announcedReady, fronts.count == config.balancers, fronts.allSatisfy(\.isRunning) {
            let serving = liveWorkers.filter(\.isRunning)
            if serving.count >= target {
                announcedReady = true
                actions.append(.ready(balancers: fronts, workers: serving))
            }
        }
        return actions
    }

    private mutating func convergeWorkers(now: Double) -> [SupervisorAction] {
        var actions: [SupervisorAction] = []
        // Too few: the lowest free port, once its backoff has passed (a
        // worker that died is reborn on its own port after its delay).
        while liveWorkers.count < target, let port = freePort(), mayStart(port: port, now: now) {
            let id = makeChild(role: .worker, port: port, now: now)
            actions.append(.spawnWorker(childID: id, port: port))
        }
        // Too many (SIGTTOU): a starting one first (no traffic yet), else
        // the one on the highest port. Not during a SIGHUP replacement.
        while liveWorkers.count > target, replacement == nil, let victim = retireCandidate(), let index = index(ofID: victim.id) {
            actions.append(.log("retiring worker (pid \(victim.pid.map(String.init) ?? "-")) on :\(victim.port)"))
            actions += retire(at: index, now: now)
        }
        actions += replaceNext(now: now)
        return actions
    }

    /// SIGHUP: one replacement at a time, started only when the count is
    /// right, nothing else starts and the previous old worker is gone, so
    /// ports are reused and stay within base ..< base + maxWorkers + 1.
    private mutating func replaceNext(now: Double) -> [SupervisorAction] {
        guard !pendingRestarts.isEmpty, replacement == nil, liveWorkers.count == target,
              !workers.contains(where: { $0.retiring || $0.isStarting }),
              let port = freePort(), mayStart(port: port, now: now), let old = nextRestart(),
              let oldIndex = index(ofID: old) else { return [] }
        let oldChild = children[oldIndex]
        let id = makeChild(role: .worker, port: port, now: now)
        replacement = (new: id, old: old)
        return [.log("replacing worker (pid \(oldChild.pid.map(String.init) ?? "-")) on :\(oldChild.port) with one on :\(port)"),
                .spawnWorker(childID: id, port: port)]
    }

    /// The next worker still to replace after SIGHUP, if it still serves.
    private mutating func nextRestart() -> Int? {
        while let id = pendingRestarts.first {
            pendingRestarts.removeFirst()
            if let index = index(ofID: id), !children[index].retiring { return id }
        }
        return nil
    }

    /// Running workers whose liveness probe is due. Only workers: the
    /// kernel completes a TCP connect to a stopped balancer, so a connect
    /// says nothing about whether it lives.
    private mutating func probeLiveness(now: Double) -> [SupervisorAction] {
        var actions: [SupervisorAction] = []
        for index in children.indices where children[index].role == .worker && !children[index].retiring {
            guard case .running(let since, var liveness) = children[index].state, liveness.nextProbe <= now,
                  let pid = children[index].pid else { continue }
            liveness.nextProbe = now + config.livenessInterval
            children[index].state = .running(since: since, liveness: liveness)
            actions.append(.probe(pid: pid, role: .worker, port: children[index].port))
        }
        return actions
    }

    private func retireCandidate() -> Child? {
        let live = liveWorkers
        return live.filter(\.isStarting).max { $0.port < $1.port } ?? live.max { $0.port < $1.port }
    }

    /// The lowest worker port no child holds.
    private func freePort() -> Int? {
        let taken = Set(children.map(\.port))
        return config.workerPorts.first { !taken.contains($0) }
    }

    private func mayStart(port: Int, now: Double) -> Bool {
        (backoff[port]?.notBefore ?? now) <= now
    }

    /// KILL whoever overstayed its stop deadline; restart a child that is
    /// still not healthy after `startTimeout`.
    private mutating func enforceDeadlines(now: Double) -> [SupervisorAction] {
        var actions: [SupervisorAction] = []
        var vanished: [Int] = []
        for index in children.indices {
            let child = children[index]
            switch child.state {
            case .stopping(let deadline) where deadline <= now:
                guard let pid = child.pid else { vanished.append(child.id); continue }
                actions.append(.log("\(Self.name(child)) (pid \(pid)) on :\(child.port) overstayed its stop; killing it"))
                actions.append(.kill(pid: pid))
                children[index].state = .stopping(deadline: .infinity)
            case .starting(let since) where phase == .running && now - since >= config.startTimeout:
                actions.append(.log("\(Self.name(child)) on :\(child.port) not healthy after \(Int(config.startTimeout)) s; restarting it"))
                if let pid = child.pid { actions.append(.terminate(pid: pid)) }
                children[index].state = .stopping(deadline: now + config.killTimeout)
                children[index].restartCause = .startTimeout
            default:
                break
            }
        }
        // A spawn the shell never reported (no pid): nothing to wait for.
        children.removeAll { vanished.contains($0.id) }
        return actions
    }
}
