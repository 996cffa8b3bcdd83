/// A child the supervisor started: a balancer or a worker, known by an
/// id of the machine's own from the moment it decides to spawn it (the
/// shell reports the pid back with `.spawned`), so a spawn is never lost
/// between the decision and the pid.
public struct Child: Equatable, Sendable {
    public let id: Int
    public let role: ChildRole
    /// Its own port, where it is probed (a balancer also accepts on the
    /// shared front port, a worker too in direct mode).
    public let port: Int
    /// Nil only between `.spawnWorker`/`.spawnBalancer` and `.spawned`.
    public var pid: Int32?
    public var state: ChildState
    /// Not to be respawned when it exits: a worker being replaced (SIGHUP)
    /// or removed (SIGTTOU), or every child once the cluster stops.
    public var retiring = false
    /// Set when the machine stops it to start it again (hung, or never
    /// healthy): the cause its restart is counted under. Nil: it died on its own.
    public var restartCause: RestartCause?
    /// When the machine decided to start it (its uptime counts from here).
    public let startedAt: Double

    public init(id: Int, role: ChildRole, port: Int, pid: Int32?, state: ChildState, startedAt: Double = 0) {
        self.id = id
        self.role = role
        self.port = port
        self.pid = pid
        self.state = state
        self.startedAt = startedAt
    }

    var isStarting: Bool { if case .starting = state { return true } else { return false } }
    var isRunning: Bool { if case .running = state { return true } else { return false } }
    var isStopping: Bool { if case .stopping = state { return true } else { return false } }
}

/// What a child is for: a balancer is probed by a TCP connect to its own
/// port and told nothing; a worker is probed by `GET /healthcheck` and
/// announced to the balancers once healthy.
public enum ChildRole: String, Equatable, Hashable, Sendable {
    case balancer
    case worker
}

/// One child's life as one enum (nginx keeps a handful of flags instead;
/// one state cannot contradict itself). A child leaves the machine's list
/// when it is reaped, so "exited" is the `.exited` event, not a state.
public enum ChildState: Equatable, Sendable {
    /// Spawned, not yet healthy: a worker gets no traffic yet. Restarted if
    /// still not healthy after `startTimeout`.
    case starting(since: Double)
    /// Healthy since then; its backoff resets once it stays up `stableAfter`.
    /// A worker is probed again at `liveness.nextProbe`; after
    /// `livenessFailures` failed probes in a row it is hung and is killed.
    case running(since: Double, liveness: Liveness)
    /// Sent TERM; KILL at the deadline (`.infinity` once KILL was sent).
    case stopping(deadline: Double)
}
