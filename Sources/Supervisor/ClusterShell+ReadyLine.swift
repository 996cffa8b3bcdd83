import SupervisorKit

/// The words of the ready line, which users and tests read: what answers on
/// the front port (one balancer, several, the workers themselves in
/// direct mode, or nothing) and every worker's port, each with its pid.
extension ClusterShell {
    func frontDescription(_ balancers: [Child]) -> String {
        let pids = balancers.sorted { $0.port < $1.port }.map { "pid \($0.pid ?? 0)" }.joined(separator: ", ")
        switch command.mode {
        case .none: return "no front (--mode none)"
        case .direct: return "direct \(frontAddress) (every worker accepts on it)"
        case .tcp, .http: return "\(balancers.count == 1 ? "balancer" : "balancers") \(frontAddress) (\(pids))"
        }
    }

    /// HOST:PORT of the front, or "none".
    var frontAddress: String { command.mode.bindsThePort ? "\(command.host):\(frontPort)" : "none" }

    static func describe(_ workers: [Child]) -> String {
        workers.sorted { $0.port < $1.port }.map { ":\($0.port) (pid \($0.pid ?? 0))" }.joined(separator: ", ")
    }
}
