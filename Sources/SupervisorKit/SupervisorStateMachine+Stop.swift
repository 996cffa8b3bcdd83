/// Stopping children: a whole cluster (SIGTERM, SIGINT, a boot failure)
/// or one worker (SIGTTOU, SIGHUP). Always TERM, then KILL at a deadline,
/// then the reaper's `.exited` takes the child off the list.
extension SupervisorStateMachine {
    /// The cluster stops: the balancers first (they stop accepting and let
    /// their connections finish), while the running workers keep serving
    /// them; the workers get TERM once every balancer is gone, or at the
    /// graceful deadline. In direct mode there is no balancer, so the
    /// workers get TERM at once: each stops accepting and drains. Nothing
    /// is spawned from here on.
    mutating func beginStop(now: Double, code: Int32) -> [SupervisorAction] {
        guard !isStopping else { return [] }
        let graceDeadline = now + config.gracefulTimeout
        phase = .stopping(graceDeadline: graceDeadline)
        exitCode = code
        pendingRestarts = []
        replacement = nil
        var actions: [SupervisorAction] = []
        for index in children.indices {
            children[index].retiring = true
            let child = children[index]
            // A worker not yet healthy has no traffic to finish.
            guard child.role == .balancer || child.isStarting else { continue }
            children[index].state = .stopping(deadline: child.role == .balancer ? graceDeadline : now + config.killTimeout)
            if let pid = child.pid { actions.append(.terminate(pid: pid)) }
        }
        return actions
    }

    /// Each pass while stopping: TERM the workers once the balancers are
    /// gone (or the grace has run out); exit once every child is reaped.
    mutating func stopPass(now: Double, graceDeadline: Double) -> [SupervisorAction] {
        var actions: [SupervisorAction] = []
        if !killedAll && (balancers.isEmpty || now >= graceDeadline) {
            for index in children.indices where !children[index].isStopping {
                // In-flight requests get what is left of the grace, and at
                // least `killTimeout`.
                children[index].state = .stopping(deadline: max(graceDeadline, now + config.killTimeout))
                if let pid = children[index].pid { actions.append(.terminate(pid: pid)) }
            }
        }
        if children.isEmpty && !announcedExit {
            announcedExit = true
            actions.append(.log("every child is reaped; exiting with code \(exitCode)"))
            actions.append(.exit(code: exitCode))
        }
        return actions
    }

    /// A second SIGINT: KILL everything now; the reaper still collects them.
    mutating func killAll() -> [SupervisorAction] {
        killedAll = true
        var actions: [SupervisorAction] = [.log("second interrupt: killing every child now")]
        for index in children.indices {
            children[index].retiring = true
            children[index].state = .stopping(deadline: .infinity)
            if let pid = children[index].pid { actions.append(.kill(pid: pid)) }
        }
        return actions
    }

    /// One worker leaves (SIGTTOU, or replaced after SIGHUP): the balancer
    /// drains it (no new work; in flight finishes), then TERM; KILL at the
    /// deadline; `remove` once it is reaped. Never respawned.
    mutating func retire(at index: Int, now: Double) -> [SupervisorAction] {
        let child = children[index]
        children[index].retiring = true
        children[index].state = .stopping(deadline: now + (child.isRunning ? config.gracefulTimeout : config.killTimeout))
        var actions: [SupervisorAction] = child.isRunning ? tell(.drain(port: child.port)) : []
        if let pid = child.pid { actions.append(.terminate(pid: pid)) }
        return actions
    }
}
