import SupervisorKit

/// The words of the ready line, which users and tests read: what answers on
/// the front port (one balancer, several, or the workers themselves in
/// direct mode) and every worker's port, each with its pid.
extension ClusterShell {
    static func frontDescription(_ balancers: [Child], host: String, port: Int) -> String {
        let pids = balancers.sorted { $0.port < $1.port }.map { "pid \($0.pid ?? 0)" }.joined(separator: ", ")
        switch balancers.count {
        case 0: return "direct \(host):\(port) (every worker accepts on it)"
        case 1: return "balancer \(host):\(port) (\(pids))"
        default: return "balancers \(host):\(port) (\(pids))"
        }
    }

    static func describe(_ workers: [Child]) -> String {
        workers.sorted { $0.port < $1.port }.map { ":\($0.port) (pid \($0.pid ?? 0))" }.joined(separator: ", ")
    }
}
