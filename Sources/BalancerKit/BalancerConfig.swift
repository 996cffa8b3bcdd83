import EventCore

/// Everything `blob-balancer` is told on its command line.
public struct BalancerConfig: Sendable {
    public var listen: SocketAddress
    public var backends: [SocketAddress]
    /// A listening socket inherited from the supervisor and shared with the
    /// other balancers (`--listen-fd`), accepted on besides `listen`.
    public var sharedListenFD: Int32?
    public var mode: ProxyMode = .tcp
    /// Further backends tried when a connect fails (haproxy's `retries`).
    public var retries = 3
    public var checkInterval: Double = 2
    public var rise = 2
    public var fall = 3
    /// `true`: checks GET /healthcheck; `false`: a TCP connect.
    public var httpCheck = false
    public var connectTimeout: Double = 5
    public var clientTimeout: Double = 30
    public var serverTimeout: Double = 30
    /// http mode: the longest a request head may take to arrive whole
    /// (haproxy's `timeout http-request`); 408 after it.
    public var httpRequestTimeout: Double = 10
    /// http mode: name the answering backend in `X-Backend` (off: it is
    /// an internal address).
    public var exposeBackend = false
    public var maxConnections = 10_000
    /// How long a graceful stop waits for connections in flight.
    public var stopTimeout: Double = 10

    public init(listen: SocketAddress, backends: [SocketAddress]) {
        self.listen = listen
        self.backends = backends
    }
}
