import EventCore
import Logging

/// http mode (being written): for now it refuses to start.
public final class HTTPBalancer: BalancerFront {
    public init(base: EventBase, config: BalancerConfig, directory: BackendDirectory, logger: Logger) throws(SystemError) {
        throw SystemError(call: "http mode", errno: 95)
    }
    public var address: SocketAddress { SocketAddress(host: "0.0.0.0", port: 0) }
    public var connectionCount: Int { 0 }
    public func stopAccepting() {}
    public func close() {}
}
