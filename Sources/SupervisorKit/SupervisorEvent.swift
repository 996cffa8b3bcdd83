/// What happened: the shell turns processes, signals, probe answers and the
/// clock into these and feeds them to `SupervisorStateMachine.handle`.
public enum SupervisorEvent: Equatable, Sendable {
    /// Begin: spawn the balancer and the workers.
    case start
    /// The spawn the machine asked for (`childID`) runs as `pid`.
    case spawned(childID: Int, pid: Int32)
    /// posix_spawn failed (no binary, no memory): the cluster stops with the
    /// boot-failure code, as retrying would most likely fail the same way.
    case spawnFailed(childID: Int, reason: String)
    /// The reaper collected `pid`.
    case exited(pid: Int32, status: ExitStatus)
    /// A probe succeeded: a worker answered /healthcheck, or the balancer
    /// accepted a connection.
    case healthy(pid: Int32)
    /// A probe failed: no answer within its timeout, or not 200.
    case unhealthy(pid: Int32)
    case signal(SupervisorSignal)
    /// With `--autoscale`, every sample interval: each worker's cumulative
    /// CPU seconds (user + system, from /proc) by pid.
    case workerCPU([Int32: Double])
    /// Time passed: backoffs, deadlines and probes are due. Ticking more
    /// often than `nextDeadline()` is harmless.
    case tick
}
