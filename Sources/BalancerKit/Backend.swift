import EventCore

/// One server behind the balancer and what the health checks think of it.
public struct Backend: Equatable, Sendable {
    public let address: SocketAddress
    public var state: BackendState
    public var health: HealthChecker

    public init(address: SocketAddress, state: BackendState = .up, health: HealthChecker) {
        self.address = address
        self.state = state
        self.health = health
    }
}
