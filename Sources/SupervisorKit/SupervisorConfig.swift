/// The supervisor's settings: counts, ports and the timings of healing and
/// stopping (gunicorn's and nginx's habits, in numbers). Times are seconds
/// on the shell's monotonic clock, the same clock as every `now` it passes.
public struct SupervisorConfig: Sendable {
    /// Workers to run at start (`--workers`).
    public var workers: Int
    /// SIGTTIN never raises the count above this (`--max-workers`).
    public var maxWorkers: Int
    /// The cluster's front port (`--port`): a listening socket the shell
    /// makes and every balancer (or, in direct mode, every worker) accepts on.
    public var balancerPort: Int
    /// Balancer processes sharing the front port (`--balancers`); 0 is
    /// direct mode: no balancer, the workers accept on the front port.
    public var balancers: Int = 1
    /// Worker ports are taken from `basePort ..< basePort + maxWorkers + 1`,
    /// lowest free first, so at start worker i listens on basePort + i. The
    /// one spare port lets a SIGHUP replacement start while the worker it
    /// replaces still serves, even at the maximum count or with one worker.
    public var basePort: Int
    /// On stop, how long in-flight requests may take before KILL.
    public var gracefulTimeout: Double
    /// How long a TERMed child has before KILL when nothing in flight is
    /// waited for (a child that never became healthy), and the least a
    /// worker gets after TERM on stop.
    public var killTimeout: Double = 5
    /// First restart delay; doubles on each quick death up to `maxBackoff`.
    public var initialBackoff: Double = 0.1
    public var maxBackoff: Double = 5
    /// A child up this long before it dies restarts after `initialBackoff`.
    public var stableAfter: Double = 10
    /// A child that is not healthy this long after start is restarted.
    public var startTimeout: Double = 30
    /// How often a starting child is probed (`nextDeadline()` asks for it).
    public var probeInterval: Double = 0.1
    /// How often a running worker is probed (`--liveness-interval`).
    public var livenessInterval: Double = 2
    /// Failed probes in a row that make a running worker hung (`--liveness-failures`).
    public var livenessFailures: Int = 3
    /// The exit code of a child that cannot start: halts the supervisor
    /// (the programs' `ProgramExit.bootFailure`, passed in by the shell).
    public var bootFailureCode: Int32
    /// `--autoscale`: the worker target follows the workers' CPU within
    /// `minWorkers...maxWorkers`; nil: only signals move it.
    public var autoscale: AutoscalePolicy?

    public init(workers: Int, maxWorkers: Int = 8, balancerPort: Int = 8000, basePort: Int = 8001,
                gracefulTimeout: Double = 30, bootFailureCode: Int32) {
        self.bootFailureCode = bootFailureCode
        self.workers = workers
        self.maxWorkers = maxWorkers
        self.balancerPort = balancerPort
        self.basePort = basePort
        self.gracefulTimeout = gracefulTimeout
    }

    var workerPorts: Range<Int> { basePort ..< basePort + maxWorkers + 1 }
    /// Each balancer's own port, right above the workers' (with the spare):
    /// the supervisor probes a balancer there, since a connect to the shared
    /// front port is answered by the kernel whoever accepts it.
    public var balancerPorts: Range<Int> { workerPorts.upperBound ..< workerPorts.upperBound + balancers }
}
