/// The supervisor's settings: counts, ports and the timings of healing and
/// stopping (gunicorn's and nginx's habits, in numbers).
public struct SupervisorConfig: Sendable {
    public var workers: Int
    public var maxWorkers: Int
    public var balancerPort: Int
    /// Worker ports are taken from basePort ..< basePort + maxWorkers + 1:
    /// the one spare lets a rolling restart start a replacement first.
    public var basePort: Int
    /// How long in-flight requests may finish on stop before TERM.
    public var gracefulTimeout: Double
    /// How long a TERMed child has before KILL.
    public var killTimeout: Double = 5
    /// First restart delay; doubles on each quick death up to `maxBackoff`.
    public var initialBackoff: Double = 0.1
    public var maxBackoff: Double = 5
    /// A child up this long resets its port's backoff.
    public var stableAfter: Double = 10
    /// A child that is not healthy this long after start is restarted.
    public var startTimeout: Double = 30
    /// The exit code of a child that cannot start: halts the supervisor.
    public var bootFailureCode: Int32 = 3

    public init(workers: Int, maxWorkers: Int = 8, balancerPort: Int = 8000, basePort: Int = 8001, gracefulTimeout: Double = 30) {
        self.workers = workers
        self.maxWorkers = maxWorkers
        self.balancerPort = balancerPort
        self.basePort = basePort
        self.gracefulTimeout = gracefulTimeout
    }

    var workerPorts: Range<Int> { basePort ..< basePort + maxWorkers + 1 }
}
