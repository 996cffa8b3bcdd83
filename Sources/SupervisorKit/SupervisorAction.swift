/// What to do: the shell carries these out in order and reports back as
/// events (`.spawned`, `.exited`, `.healthy`).
public enum SupervisorAction: Equatable, Sendable {
    /// Start a worker listening on `port`; report `.spawned(childID:pid:)`.
    case spawnWorker(childID: Int, port: Int)
    /// Start a balancer on its own `port` and the shared front port, in
    /// front of the healthy workers on `backends` (its command line); later
    /// changes come as `.tellBalancer` lines on its control channel.
    case spawnBalancer(childID: Int, port: Int, backends: [Int])
    /// SIGTERM: finish what is in flight, then exit.
    case terminate(pid: Int32)
    /// SIGKILL: the deadline has passed, or a second SIGINT.
    case kill(pid: Int32)
    /// A line on the control channel of every balancer (each keeps its own
    /// pool, so each hears every change).
    case tellBalancer(BalancerUpdate)
    /// Check the child's health (a worker's /healthcheck, the balancer's
    /// port); answer `.healthy(pid:)` if it is, `.unhealthy(pid:)` if not.
    /// Repeated each pass while the child is starting, and every
    /// `livenessInterval` for a running worker; the shell may skip a probe
    /// already in flight.
    case probe(pid: Int32, role: ChildRole, port: Int)
    /// One log line; the shell adds role and pid.
    case log(String)
    /// Announce once that the whole cluster serves (the ready line); no
    /// balancers in direct mode.
    case ready(balancers: [Child], workers: [Child])
    /// Every child is reaped: leave with this code.
    case exit(code: Int32)
}
