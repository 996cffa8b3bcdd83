/// How a child process ended, from its wait status.
public enum ExitStatus: Equatable, Sendable, CustomStringConvertible {
    case exited(code: Int32)
    case signaled(Int32)

    public var description: String {
        switch self {
        case .exited(let code): return "exited with code \(code)"
        case .signaled(let signal): return "killed by signal \(signal)"
        }
    }
}

/// What a child is for.
public enum ChildRole: Equatable, Sendable {
    case balancer
    case worker
}

/// One child's life: started, answering its health check, being stopped.
public enum ChildState: Equatable, Sendable {
    /// Spawned, not yet healthy (a worker gets no traffic yet).
    case starting(since: Double)
    /// Healthy since then.
    case running(since: Double)
    /// Sent TERM; KILL at the deadline.
    case stopping(deadline: Double)
}

/// A child the supervisor started, known by an id of its own until the
/// shell reports its pid.
public struct Child: Equatable, Sendable {
    public let id: Int
    public let role: ChildRole
    public let port: Int
    public var pid: Int32?
    public var state: ChildState
    /// A worker being replaced (SIGHUP) or removed (SIGTTOU): never respawned.
    public var retiring = false
}

/// The signals the supervisor acts on, as loop events.
public enum SupervisorSignal: Sendable {
    case terminate, interrupt, hangup, increase, decrease
}

/// What happened: the shell turns processes, signals and time into these.
public enum SupervisorEvent: Equatable, Sendable {
    case start
    case spawned(childID: Int, pid: Int32)
    case spawnFailed(childID: Int, reason: String)
    case exited(pid: Int32, status: ExitStatus)
    case healthy(pid: Int32)
    case signal(SupervisorSignal)
    case tick
}

/// A line on the balancer's control channel.
public enum BalancerCommand: Equatable, Sendable {
    case add(port: Int)
    case drain(port: Int)
    case remove(port: Int)
}

/// What to do: the shell carries these out and reports back as events.
public enum SupervisorAction: Equatable, Sendable {
    case spawnWorker(childID: Int, port: Int)
    /// Start a balancer in front of the workers on `backends`.
    case spawnBalancer(childID: Int, backends: [Int])
    case terminate(pid: Int32)
    case kill(pid: Int32)
    case tellBalancer(BalancerCommand)
    /// Check the child's health (a worker's /healthcheck, the balancer's port).
    case probe(pid: Int32, role: ChildRole, port: Int)
    case log(String)
    /// Announce once that the whole cluster serves.
    case ready(balancer: Child, workers: [Child])
    case exit(code: Int32)
}
