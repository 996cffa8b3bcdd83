import ClusterMetrics
import Prometheus
import SupervisorKit

/// The supervisor's figures, served on `--metrics-port`: workers wanted and
/// running, children by role and state, restarts by cause, scale events,
/// and with --autoscale the CPU the policy saw last.
/// All of it is read from the state machine at each scrape: the machine
/// keeps the counts, so there is one truth and nothing to miss.
final class SupervisorMetrics {
    static let wanted = MetricName("cluster_workers_wanted", help: "Workers the supervisor aims for (--workers, moved by SIGTTIN/SIGTTOU).")
    static let running = MetricName("cluster_workers_running", help: "Workers running and healthy.")
    static let children = MetricName("cluster_children", help: "Child processes by role and state (starting, running, stopping).")
    static let restarts = MetricName("cluster_restarts_total", help: "Children started again, by role and cause (crashed, hung, start_timeout).")
    static let scaleEvents = MetricName("cluster_scale_events_total", help: "Moves of the worker target, by direction (out, in): signals and --autoscale.")
    static let workerCPU = MetricName(
        "cluster_autoscale_worker_cpu", help: "With --autoscale: the serving workers' mean CPU at the last sample, as a fraction of one core.")

    let registry = PrometheusCollectorRegistry()
    private let wanted: Gauge
    private let running: Gauge
    private let workerCPU: Gauge?
    private var children: [String: Gauge] = [:]
    /// Each counter with the tally it last showed: a scrape adds the difference.
    private var restarts: [SupervisorTallies.RestartKey: (counter: Counter, shown: Int)] = [:]
    private var scaleEvents: [ScaleDirection: (counter: Counter, shown: Int)] = [:]

    init(autoscaling: Bool) {
        wanted = registry.gauge(Self.wanted)
        workerCPU = autoscaling ? registry.gauge(Self.workerCPU) : nil
        running = registry.gauge(Self.running)
        for role in [ChildRole.worker, .balancer] {
            for state in ["starting", "running", "stopping"] {
                children[role.rawValue + "/" + state] = registry.gauge(Self.children, [("role", role.rawValue), ("state", state)])
            }
            for cause in RestartCause.allCases {
                restarts[SupervisorTallies.RestartKey(role: role, cause: cause)] =
                    (registry.counter(Self.restarts, [("role", role.rawValue), ("cause", cause.rawValue)]), 0)
            }
        }
        for direction in ScaleDirection.allCases {
            scaleEvents[direction] = (registry.counter(Self.scaleEvents, [("direction", direction.rawValue)]), 0)
        }
    }

    func refresh(from machine: SupervisorStateMachine) {
        wanted.set(Int64(machine.target))
        if let workerCPU, let utilization = machine.autoscaler?.utilization { workerCPU.set(utilization) }
        var counts: [String: Int] = [:]
        for child in machine.children {
            let state: String
            switch child.state {
            case .starting: state = "starting"
            case .running: state = "running"
            case .stopping: state = "stopping"
            }
            counts[child.role.rawValue + "/" + state, default: 0] += 1
        }
        for (key, gauge) in children { gauge.set(Int64(counts[key] ?? 0)) }
        running.set(Int64(counts["worker/running"] ?? 0))
        for (key, entry) in restarts {
            let now = machine.tallies.restarts(key.role, key.cause)
            if now > entry.shown { entry.counter.increment(by: Int64(now - entry.shown)) }
            restarts[key] = (entry.counter, now)
        }
        for (direction, entry) in scaleEvents {
            let now = machine.tallies.scaleEvents[direction] ?? 0
            if now > entry.shown { entry.counter.increment(by: Int64(now - entry.shown)) }
            scaleEvents[direction] = (entry.counter, now)
        }
    }
}
