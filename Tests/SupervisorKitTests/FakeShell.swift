import SupervisorKit

/// Plays the process shell around the machine on a fake clock: every spawn
/// gets a pid at once (unless `reportSpawns` is off), and the balancer's
/// rotation is kept from the machine's own words (`backends` on spawn,
/// then add/drain/remove), so tests can ask what would get traffic.
struct FakeShell {
    var machine: SupervisorStateMachine
    var now = 100.0
    var nextPid: Int32 = 1000
    var reportSpawns = true
    /// Ports the balancer routes to.
    var rotation: Set<Int> = []
    /// Every action so far, in order.
    var history: [SupervisorAction] = []

    init(workers: Int, maxWorkers: Int = 8, gracefulTimeout: Double = 30) {
        self.init(config: SupervisorConfig(workers: workers, maxWorkers: maxWorkers, gracefulTimeout: gracefulTimeout, bootFailureCode: 3))
    }

    init(config: SupervisorConfig) {
        machine = SupervisorStateMachine(config: config)
    }

    @discardableResult
    mutating func feed(_ event: SupervisorEvent) -> [SupervisorAction] {
        var all: [SupervisorAction] = []
        var queue = [event]
        while !queue.isEmpty {
            let next = queue.removeFirst()
            if case .exited(let pid, _) = next, machine.children.first(where: { $0.pid == pid })?.role == .balancer {
                rotation = []
            }
            let actions = machine.handle(next, now: now)
            all += actions
            for action in actions {
                switch action {
                case .spawnBalancer(let id, _, let backends):
                    rotation = Set(backends)
                    if reportSpawns { queue.append(.spawned(childID: id, pid: takePid())) }
                case .spawnWorker(let id, _):
                    if reportSpawns { queue.append(.spawned(childID: id, pid: takePid())) }
                case .tellBalancer(.add(let port)): rotation.insert(port)
                case .tellBalancer(.drain(let port)), .tellBalancer(.remove(let port)): rotation.remove(port)
                default: break
                }
            }
        }
        history += all
        return all
    }

    private mutating func takePid() -> Int32 {
        nextPid += 1
        return nextPid
    }

    @discardableResult
    mutating func advance(_ seconds: Double) -> [SupervisorAction] {
        now += seconds
        return feed(.tick)
    }

    /// Starts the cluster and makes every child healthy.
    @discardableResult
    mutating func startHealthy() -> [SupervisorAction] {
        var actions = feed(.start)
        actions += makeStartingHealthy()
        return actions
    }

    @discardableResult
    mutating func makeStartingHealthy() -> [SupervisorAction] {
        var actions: [SupervisorAction] = []
        for child in machine.children {
            if case .starting = child.state, let pid = child.pid { actions += feed(.healthy(pid: pid)) }
        }
        return actions
    }

    /// Ticks at each `nextDeadline()`, as a shell that trusts it would,
    /// until a worker (or balancer) is spawned on `port`; returns how long that took, to
    /// the hundredth (nil if the machine stops asking for ticks first).
    mutating func secondsUntilSpawn(onPort port: Int, limit: Double = 60) -> Double? {
        let start = now
        while let deadline = machine.nextDeadline(), deadline - start <= limit {
            now = deadline
            let actions = feed(.tick)
            if actions.spawnedPorts.contains(port) || actions.spawnedBalancerPorts.contains(port) { return ((now - start) * 100).rounded() / 100 }
        }
        return nil
    }

    func pid(ofPort port: Int) -> Int32 { machine.children.last { $0.port == port }!.pid! }
    var balancerPid: Int32 { machine.children.first { $0.role == .balancer }!.pid! }
    var workerPorts: [Int] { machine.children.filter { $0.role == .worker && !$0.retiring }.map(\.port).sorted() }
    var allPids: [Int32] { machine.children.compactMap(\.pid) }
}
