import ArgumentParser

/// What answers on `--port` in front of the workers (`--mode`).
enum ClusterFront: String, CaseIterable, ExpressibleByArgument {
    /// Balancers splicing each connection to one worker (the study's haproxy).
    case tcp
    /// Balancers forwarding each request, retrying what a dying worker dropped.
    case http
    /// No balancer: every worker accepts on the front socket too.
    case direct
    /// Nothing: only the workers' own ports, for a balancer elsewhere (one
    /// in front of several hosts' workers, as scripts/multihost.sh runs).
    case none

    /// Whether blob-balancer processes run (`--balancers` of them).
    var hasBalancers: Bool { self == .tcp || self == .http }

    /// Whether the workers accept on the front socket.
    var workersShareThePort: Bool { self == .direct }

    /// Whether the supervisor binds `--port` at all.
    var bindsThePort: Bool { self != .none }
}
