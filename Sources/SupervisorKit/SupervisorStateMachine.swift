/// The supervisor's decisions, with no I/O: events in (a child exited, a
/// signal, a health result, the clock), actions out (spawn, signal, tell
/// the balancer, exit). Each event ends with one pass that converges the
/// children on the target, as gunicorn's arbiter does; the shell around it
/// only carries actions out. Tested with a fake clock.
public struct SupervisorStateMachine {
    private enum Phase: Equatable {
        case idle, running
        case stopping
    }

    public private(set) var config: SupervisorConfig
    /// How many workers should serve; SIGTTIN/SIGTTOU move it.
    public private(set) var target: Int
    public internal(set) var children: [Child] = []
    private var phase = Phase.idle
    private var nextID = 1
    private var announcedReady = false
    private var exitCode: Int32 = 0
    /// Per port (the balancer's too): the next restart delay, and when the
    /// next start may happen.
    private var backoff: [Int: (delay: Double, notBefore: Double)] = [:]
    /// Workers still to replace one by one after SIGHUP.
    private var pendingRestarts: [Int] = []
    /// A replacement being started (its id) for a worker (its id).
    private var replacement: (new: Int, old: Int)?

    public init(config: SupervisorConfig) {
        self.config = config
        target = config.workers
    }

    public var isStopping: Bool { phase == .stopping }

    public mutating func handle(_ event: SupervisorEvent, now: Double) -> [SupervisorAction] {
        var actions: [SupervisorAction] = []
        switch event {
        case .start:
            phase = .running
        case .spawned(let id, let pid):
            if let index = index(ofID: id) {
                children[index].pid = pid
                let child = children[index]
                actions.append(.log("booting \(Self.name(child)) (pid \(pid)) on :\(child.port)"))
            }
        case .spawnFailed(let id, let reason):
            children.removeAll { $0.id == id }
            actions.append(.log("cannot start a child: \(reason); stopping"))
            actions += beginStop(now: now, code: config.bootFailureCode)
        case .exited(let pid, let status):
            actions += childExited(pid: pid, status: status, now: now)
        case .healthy(let pid):
            actions += childHealthy(pid: pid, now: now)
        case .signal(let signal):
            actions += handle(signal, now: now)
        case .tick:
            break
        }
        actions += converge(now: now)
        return actions
    }

    /// When the shell must next tick to honour a deadline or a backoff.
    public func nextDeadline() -> Double? {
        var deadlines = backoff.values.map(\.notBefore)
        for child in children {
            switch child.state {
            case .stopping(let deadline): deadlines.append(deadline)
            case .starting(let since): deadlines.append(since + config.startTimeout)
            case .running: break
            }
        }
        return deadlines.min()
    }

    // MARK: events

    private mutating func childExited(pid: Int32, status: ExitStatus, now: Double) -> [SupervisorAction] {
        guard let index = children.firstIndex(where: { $0.pid == pid }) else { return [] }
        let child = children.remove(at: index)
        var actions: [SupervisorAction] = [.log("\(Self.name(child)) (pid \(pid)) on :\(child.port) \(status)")]
        if child.role == .worker { actions.append(.tellBalancer(.remove(port: child.port))) }
        if replacement?.new == child.id { replacement = nil }
        if replacement?.old == child.id { replacement = nil }
        guard phase == .running, !child.retiring else { return actions }
        // The code means "cannot start" whenever it comes (gunicorn's
        // WORKER_BOOT_ERROR): respawning would fail the same way forever.
        if status == .exited(code: config.bootFailureCode) {
            actions.append(.log("\(Self.name(child)) on :\(child.port) could not start (exit \(config.bootFailureCode)); stopping the cluster"))
            return actions + beginStop(now: now, code: config.bootFailureCode)
        }
        let uptime: Double
        switch child.state {
        case .running(let since), .starting(let since): uptime = now - since
        case .stopping: uptime = 0
        }
        let previous = backoff[child.port]?.delay
        let delay = uptime >= config.stableAfter || previous == nil
            ? config.initialBackoff : min(previous! * 2, config.maxBackoff)
        backoff[child.port] = (delay, now + delay)
        actions.append(.log("restarting \(Self.name(child)) on :\(child.port) in \(Int(delay * 1000)) ms"))
        return actions
    }

    private mutating func childHealthy(pid: Int32, now: Double) -> [SupervisorAction] {
        guard let found = children.firstIndex(where: { $0.pid == pid }), case .starting = children[found].state else { return [] }
        let index = found
        children[index].state = .running(since: now)
        let child = children[index]
        var actions: [SupervisorAction] = [.log("\(Self.name(child)) (pid \(pid)) on :\(child.port) is healthy")]
        guard child.role == .worker else { return actions }
        if balancer.map({ if case .running = $0.state { return true } else { return false } }) == true {
            actions.append(.tellBalancer(.add(port: child.port)))
        }
        if let pair = replacement, pair.new == child.id, let old = self.index(ofID: pair.old) {
            replacement = nil
            actions += retire(at: old, now: now)
        }
        return actions
    }

    private mutating func handle(_ signal: SupervisorSignal, now: Double) -> [SupervisorAction] {
        switch signal {
        case .terminate, .interrupt:
            if phase == .stopping && signal == .interrupt {
                return [.log("second interrupt: killing every child now")] + children.compactMap { $0.pid.map { .kill(pid: $0) } }
            }
            return [.log("stopping gracefully (up to \(Int(config.gracefulTimeout)) s for in-flight requests)")] + beginStop(now: now, code: 0)
        case .hangup:
            pendingRestarts = workers.filter { !$0.retiring }.map(\.id)
            return [.log("restarting \(pendingRestarts.count) workers one at a time")]
        case .increase:
            target = min(target + 1, config.maxWorkers)
            return [.log("workers: target \(target)")]
        case .decrease:
            target = max(target - 1, 1)
            return [.log("workers: target \(target)")]
        }
    }

    private mutating func beginStop(now: Double, code: Int32) -> [SupervisorAction] {
        guard phase != .stopping else { return [] }
        phase = .stopping
        exitCode = code
        pendingRestarts = []
        var actions: [SupervisorAction] = []
        for index in children.indices {
            children[index].retiring = true
            children[index].state = .stopping(deadline: now + config.gracefulTimeout)
            if let pid = children[index].pid { actions.append(.terminate(pid: pid)) }
        }
        return actions
    }

    /// Takes a worker out of the balancer, then TERMs it (it finishes its
    /// in-flight requests), KILL at the deadline.
    private mutating func retire(at index: Int, now: Double) -> [SupervisorAction] {
        children[index].retiring = true
        children[index].state = .stopping(deadline: now + config.gracefulTimeout)
        let child = children[index]
        var actions: [SupervisorAction] = [.tellBalancer(.remove(port: child.port))]
        if let pid = child.pid { actions.append(.terminate(pid: pid)) }
        return actions
    }

    // MARK: small state helpers for the convergence pass

    var isRunning: Bool { phase == .running }
    var hasAnnouncedReady: Bool { announcedReady }
    var currentExitCode: Int32 { exitCode }
    var isReplacing: Bool { replacement != nil }

    mutating func markReady() { announcedReady = true }

    func backoff(for port: Int) -> (delay: Double, notBefore: Double)? { backoff[port] }

    func index(ofID id: Int) -> Int? { children.firstIndex { $0.id == id } }

    mutating func makeChild(role: ChildRole, port: Int, now: Double) -> Int {
        let id = nextID
        nextID += 1
        children.append(Child(id: id, role: role, port: port, pid: nil, state: .starting(since: now)))
        return id
    }

    /// The next worker still to replace after SIGHUP, if it still serves.
    mutating func nextRestart() -> Int? {
        while let id = pendingRestarts.first {
            pendingRestarts.removeFirst()
            if let index = index(ofID: id), !children[index].retiring { return id }
        }
        return nil
    }

    mutating func beginReplacement(new: Int, old: Int) { replacement = (new, old) }

    mutating func retireWorker(at index: Int, now: Double) -> [SupervisorAction] { retire(at: index, now: now) }
}
