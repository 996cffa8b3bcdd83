/// One convergence pass: kill what overstayed, probe what starts, start
/// what is missing (after its backoff), retire what is too many, and say
/// "ready" once.
extension SupervisorStateMachine {
    var workers: [Child] { children.filter { $0.role == .worker } }
    var balancer: Child? { children.first { $0.role == .balancer } }

    mutating func converge(now: Double) -> [SupervisorAction] {
        var actions = enforceDeadlines(now: now)
        if isStopping {
            if children.isEmpty { actions.append(.exit(code: currentExitCode)) }
            return actions
        }
        guard isRunning else { return actions }
        for child in children where child.pid != nil {
            if case .starting = child.state { actions.append(.probe(pid: child.pid!, role: child.role, port: child.port)) }
        }
        if balancer == nil && mayStart(port: config.balancerPort, now: now) {
            let id = makeChild(role: .balancer, port: config.balancerPort, now: now)
            let backends = workers.filter { !$0.retiring && Self.isRunning($0) }.map(\.port)
            actions.append(.spawnBalancer(childID: id, backends: backends))
        }
        actions += convergeWorkers(now: now)
        if !hasAnnouncedReady, let balancer, Self.isRunning(balancer) {
            let serving = workers.filter { !$0.retiring && Self.isRunning($0) }
            if serving.count >= target {
                markReady()
                actions.append(.ready(balancer: balancer, workers: serving))
            }
        }
        return actions
    }

    private mutating func convergeWorkers(now: Double) -> [SupervisorAction] {
        var actions: [SupervisorAction] = []
        var live = workers.filter { !$0.retiring }
        while live.count < target, let port = freePort(), mayStart(port: port, now: now) {
            _ = makeChild(role: .worker, port: port, now: now)
            actions.append(.spawnWorker(childID: children.last!.id, port: port))
            live = workers.filter { !$0.retiring }
        }
        let starting = live.contains { if case .starting = $0.state { return true } else { return false } }
        if live.count > target && !starting && !isReplacing,
           let highest = live.max(by: { $0.port < $1.port }), let index = children.firstIndex(of: highest) {
            actions.append(.log("retiring worker on :\(highest.port)"))
            actions += retireWorker(at: index, now: now)
        }
        // One replacement at a time, each once the previous old worker is
        // gone, so ports are reused and stay within base ..< base + N + 1.
        let retiringStillUp = workers.contains { $0.retiring }
        if live.count == target && !starting && !isReplacing && !retiringStillUp, let old = nextRestart(), let port = freePort(),
           mayStart(port: port, now: now) {
            let id = makeChild(role: .worker, port: port, now: now)
            beginReplacement(new: id, old: old)
            actions.append(.log("replacing worker on :\(children.first { $0.id == old }!.port) with one on :\(port)"))
            actions.append(.spawnWorker(childID: id, port: port))
        }
        return actions
    }

    /// The lowest worker port no child holds.
    private func freePort() -> Int? {
        let taken = Set(children.map(\.port))
        return config.workerPorts.first { !taken.contains($0) }
    }

    private func mayStart(port: Int, now: Double) -> Bool {
        (backoff(for: port)?.notBefore ?? now) <= now
    }

    private mutating func enforceDeadlines(now: Double) -> [SupervisorAction] {
        var actions: [SupervisorAction] = []
        for index in children.indices {
            let child = children[index]
            switch child.state {
            case .stopping(let deadline) where deadline <= now:
                if let pid = child.pid { actions.append(.kill(pid: pid)) }
                children[index].state = .stopping(deadline: .infinity)
            case .starting(let since) where now - since > config.startTimeout && !isStopping:
                actions.append(.log("\(Self.name(child)) on :\(child.port) not healthy after \(Int(config.startTimeout)) s; restarting it"))
                if let pid = child.pid { actions.append(.terminate(pid: pid)) }
                children[index].state = .stopping(deadline: now + config.killTimeout)
            default:
                break
            }
        }
        return actions
    }

    static func isRunning(_ child: Child) -> Bool {
        if case .running = child.state { return true }
        return false
    }

    static func name(_ child: Child) -> String {
        child.role == .balancer ? "balancer" : "worker"
    }
}
