import ClusterControl
import SupervisorKit

/// The text `blob-cluster status` prints, made by the supervisor from its
/// state machine: a line about the cluster, a table of its children, and
/// the workers as the supervisor has announced them to the balancers next to
/// each balancer's own view of them (its last answer to `report`).
/// Columns are separated by two spaces or more, so `awk` can read it.
struct ClusterStatus {
    let machine: SupervisorStateMachine
    let now: Double
    let startedAt: Double
    let mode: String
    let front: String
    let supervisorPID: Int32
    /// Each balancer's last report (by pid) and how old it is, in seconds.
    let balancerReports: [Int32: (age: Double, report: BackendReport)]

    var text: String {
        var lines = [summary, ""]
        lines += Self.table(header: ["ROLE", "PID", "PORT", "STATE", "UPTIME", "RESTARTS", "LAST EXIT"],
                            rows: machine.children.sorted(by: Self.order).map(row))
        if machine.config.balancers > 0 { lines += [""] + backends }
        return lines.joined(separator: "\n") + "\n"
    }

    /// A row per worker port: what the supervisor told the balancers, then
    /// each balancer's state for it (`-`: not in its pool, `?`: no report yet).
    private var backends: [String] {
        let balancers = machine.children.filter { $0.role == .balancer }.sorted(by: Self.order).compactMap(\.pid)
        let workers = machine.children.filter { $0.role == .worker }.sorted(by: Self.order)
        var ports = workers.map(\.port)
        for pid in balancers {
            for entry in balancerReports[pid]?.report.entries ?? [] where !ports.contains(entry.address.port) { ports.append(entry.address.port) }
        }
        let header = ["WORKER", "TOLD BY SUPERVISOR"] + balancers.map { "BALANCER \($0)" }
        let rows = ports.sorted().map { port -> [String] in
            let told = workers.last { $0.port == port }.map(Self.rotation) ?? "gone"
            return [":\(port)", told] + balancers.map { pid in
                guard let report = balancerReports[pid]?.report else { return "?" }
                return report.entries.first { $0.address.port == port }?.state ?? "-"
            }
        }
        let ages = balancers.map { pid in balancerReports[pid].map { "\(pid) \(Self.duration($0.age)) ago" } ?? "\(pid) not yet" }
        return ["Backends (balancers' own views, reported: \(ages.joined(separator: ", "))):"] + Self.table(header: header, rows: rows)
    }

    private var summary: String {
        let phase = machine.isStopping ? "stopping" : "running"
        var words = ["blob-cluster pid \(supervisorPID)", "\(mode) mode", "front \(front)", phase,
                     "up \(Self.duration(now - startedAt))", "workers wanted \(machine.target)"]
        if let autoscaler = machine.autoscaler {
            let seen = autoscaler.utilization.map { "\(Int(($0 * 100).rounded())) %" } ?? "not measured yet"
            words.append("autoscale \(autoscaler.policy.minWorkers)...\(machine.config.maxWorkers) "
                + "at \(Int((autoscaler.policy.targetUtilization * 100).rounded())) % CPU (now \(seen))")
        }
        return words.joined(separator: ", ")
    }

    private func row(_ child: Child) -> [String] {
        let history = machine.tallies.slots[child.port]
        let lastExit = history?.lastExit.map { status in
            "\(status)" + (history?.lastExitAt.map { " \(Self.duration(now - $0)) ago" } ?? "")
        } ?? "-"
        return [child.role.rawValue, child.pid.map(String.init) ?? "-", String(child.port), Self.state(of: child),
                Self.duration(now - child.startedAt), String(history?.restarts ?? 0), lastExit]
    }

    private static func state(of child: Child) -> String {
        switch child.state {
        case .starting: return "starting"
        case .running(_, let liveness) where liveness.failures > 0:
            return "running (\(liveness.failures) failed probe\(liveness.failures == 1 ? "" : "s"))"
        case .running: return "running"
        case .stopping: return child.retiring ? "stopping" : "restarting"
        }
    }

    /// What the balancers were told of this worker: `add` once healthy,
    /// `drain` when it leaves, `remove` when it is hung or gone.
    private static func rotation(of worker: Child) -> String {
        switch worker.state {
        case .starting: return "not yet (starting)"
        case .running: return "add"
        case .stopping: return worker.retiring ? "drain" : "remove"
        }
    }

    private static func order(_ a: Child, _ b: Child) -> Bool {
        (a.role == .balancer ? 0 : 1, a.port) < (b.role == .balancer ? 0 : 1, b.port)
    }

    static func table(header: [String], rows: [[String]]) -> [String] {
        let all = [header] + rows
        let widths = header.indices.map { column in all.map { $0[column].count }.max() ?? 0 }
        return all.map { cells in
            cells.indices.map { column in
                column == cells.count - 1 ? cells[column] : cells[column] + String(repeating: " ", count: widths[column] - cells[column].count + 2)
            }.joined()
        }
    }

    /// 42s, 3m05s, 2h07m, 3d04h.
    static func duration(_ seconds: Double) -> String {
        let total = max(0, Int(seconds))
        switch total {
        case ..<60: return "\(total)s"
        case ..<3600: return "\(total / 60)m\(twoDigits(total % 60))s"
        case ..<86400: return "\(total / 3600)h\(twoDigits(total % 3600 / 60))m"
        default: return "\(total / 86400)d\(twoDigits(total % 86400 / 3600))h"
        }
    }

    private static func twoDigits(_ value: Int) -> String { value < 10 ? "0\(value)" : "\(value)" }
}
