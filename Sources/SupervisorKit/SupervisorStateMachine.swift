/// The supervisor's decisions, with no I/O: events in (a child exited, a
/// signal, a health result, the clock), actions out (spawn, signal, tell
/// the balancer, exit). Each event ends with one pass that converges the
/// children on the target, as gunicorn's arbiter does; the shell around it
/// only carries actions out, so every decision is tested with a fake clock.
///
/// A balancer learns about workers two ways: a new balancer gets the
/// healthy workers on its command line (`.spawnBalancer(backends:)`), and
/// every change after that is a `.tellBalancer` line, sent to every
/// balancer's channel. With `config.balancers` 0 (direct mode) there is no
/// balancer: the workers accept on the front port themselves, and a worker
/// leaving only needs TERM (it stops accepting, then drains).
public struct SupervisorStateMachine {
    enum Phase: Equatable {
        case idle, running
        /// Stopping; running workers are TERMed once the balancers are gone
        /// or at `graceDeadline`, whichever comes first.
        case stopping(graceDeadline: Double)
    }

    public internal(set) var config: SupervisorConfig
    /// How many workers should serve; SIGTTIN/SIGTTOU move it.
    public internal(set) var target: Int
    /// Every child not yet reaped, in the order they were spawned.
    public internal(set) var children: [Child] = []
    /// Restarts and scale events so far (the supervisor's metrics).
    public internal(set) var tallies = SupervisorTallies()
    /// With `config.autoscale`: the policy and what it has seen.
    public internal(set) var autoscaler: Autoscaler?
    var phase = Phase.idle
    var nextID = 1
    var announcedReady = false
    var announcedExit = false
    /// A second SIGINT: everything was KILLed; nothing is TERMed after.
    var killedAll = false
    var exitCode: Int32 = 0
    /// The `now` of the last event: deadlines up to it are already met.
    var lastNow = -Double.infinity
    /// Per port (each balancer's own too): the last restart delay, and when
    /// the next start on that port may happen.
    var backoff: [Int: (delay: Double, notBefore: Double)] = [:]
    /// Workers (ids) still to replace one by one after SIGHUP.
    var pendingRestarts: [Int] = []
    /// A replacement being started (its id) for a worker (its id).
    var replacement: (new: Int, old: Int)?

    public init(config: SupervisorConfig) {
        self.config = config
        target = min(max(config.workers, 1), config.maxWorkers)
        autoscaler = config.autoscale.map { Autoscaler(policy: $0, maxWorkers: config.maxWorkers) }
    }

    public var isStopping: Bool { if case .stopping = phase { return true } else { return false } }

    public mutating func handle(_ event: SupervisorEvent, now: Double) -> [SupervisorAction] {
        lastNow = max(lastNow, now)
        var actions: [SupervisorAction] = []
        switch event {
        case .start:
            if phase == .idle { phase = .running }
        case .spawned(let id, let pid):
            actions += childSpawned(id: id, pid: pid)
        case .spawnFailed(let id, let reason):
            children.removeAll { $0.id == id }
            actions.append(.log("cannot start a child: \(reason); stopping"))
            actions += beginStop(now: now, code: config.bootFailureCode)
        case .exited(let pid, let status):
            actions += childExited(pid: pid, status: status, now: now)
        case .healthy(let pid):
            actions += childHealthy(pid: pid, now: now)
        case .unhealthy(let pid):
            // No convergence pass: a failed probe only counts (a kill
            // converges when its exit is reaped), and a pass would probe a
            // starting child again at once, spinning while it boots.
            return childUnhealthy(pid: pid, now: now)
        case .signal(let signal):
            actions += handle(signal, now: now)
        case .workerCPU(let cpu):
            actions += autoscale(cpu: cpu, now: now)
        case .tick:
            break
        }
        actions += converge(now: now)
        return actions
    }

    /// When the shell must next tick: a backoff ends, a deadline passes, or
    /// a starting child is due for a probe. Nil: only events matter now.
    public func nextDeadline() -> Double? {
        var deadlines: [Double] = []
        for child in children {
            switch child.state {
            case .stopping(let deadline):
                deadlines.append(deadline)
            case .starting(let since) where phase == .running:
                deadlines.append(since + config.startTimeout)
                if child.pid != nil { deadlines.append(lastNow + config.probeInterval) }
            case .running(_, let liveness) where phase == .running && child.role == .worker && !child.retiring:
                deadlines.append(liveness.nextProbe)
            default:
                break
            }
        }
        switch phase {
        case .running:
            let taken = Set(children.map(\.port))
            deadlines += backoff.filter { !taken.contains($0.key) }.map(\.value.notBefore)
        case .stopping(let graceDeadline) where children.contains(where: { !$0.isStopping }):
            deadlines.append(graceDeadline)
        default:
            break
        }
        return deadlines.filter { $0 > lastNow && $0 < .infinity }.min()
    }

    // MARK: helpers shared by the extensions

    var workers: [Child] { children.filter { $0.role == .worker } }
    /// Workers meant to keep serving (not being replaced or removed).
    var liveWorkers: [Child] { workers.filter { !$0.retiring } }
    var balancers: [Child] { children.filter { $0.role == .balancer } }

    func index(ofID id: Int) -> Int? { children.firstIndex { $0.id == id } }
    func index(ofPID pid: Int32) -> Int? { children.firstIndex { $0.pid == pid } }

    mutating func makeChild(role: ChildRole, port: Int, now: Double) -> Int {
        let id = nextID
        nextID += 1
        children.append(Child(id: id, role: role, port: port, pid: nil, state: .starting(since: now), startedAt: now))
        return id
    }

    /// A line for the balancers, if one is there to read it and the
    /// cluster is not stopping; a balancer spawned later is given the
    /// healthy workers on its command line instead.
    func tell(_ command: BalancerUpdate) -> [SupervisorAction] {
        guard phase == .running, balancers.contains(where: { !$0.retiring }) else { return [] }
        return [.tellBalancer(command)]
    }

    static func name(_ child: Child) -> String {
        child.role == .balancer ? "balancer" : "worker"
    }
}
