import SupervisorKit

/// Questions tests ask of a batch of actions, so each assertion reads as
/// the rule it checks.
extension Array where Element == SupervisorAction {
    var spawnedPorts: [Int] {
        compactMap { if case .spawnWorker(_, let port) = $0 { return port } else { return nil } }
    }

    var spawnedBalancerPorts: [Int] {
        compactMap { if case .spawnBalancer(_, let port, _) = $0 { return port } else { return nil } }
    }

    var balancerSpawns: [[Int]] {
        compactMap { if case .spawnBalancer(_, _, let backends) = $0 { return backends } else { return nil } }
    }

    var spawnsAnything: Bool { !spawnedPorts.isEmpty || !balancerSpawns.isEmpty }

    var terminated: [Int32] { compactMap { if case .terminate(let pid) = $0 { return pid } else { return nil } } }
    var killed: [Int32] { compactMap { if case .kill(let pid) = $0 { return pid } else { return nil } } }

    var balancerUpdates: [BalancerUpdate] {
        compactMap { if case .tellBalancer(let command) = $0 { return command } else { return nil } }
    }

    var probedPids: [Int32] { compactMap { if case .probe(let pid, _, _) = $0 { return pid } else { return nil } } }

    var readyWorkers: [[Int]] {
        compactMap { if case .ready(_, let workers) = $0 { return workers.map(\.port).sorted() } else { return nil } }
    }

    var exitCodes: [Int32] { compactMap { if case .exit(let code) = $0 { return code } else { return nil } } }

    var logLines: [String] { compactMap { if case .log(let line) = $0 { return line } else { return nil } } }
}
