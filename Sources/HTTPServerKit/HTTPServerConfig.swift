import HTTP1

/// Tunables of the HTTP server; the defaults suit a blob worker.
public struct HTTPServerConfig {
    public var limits = HTTPLimits()
    /// Seconds a client has to send a whole request head once it started (slowloris).
    public var headerTimeout: Double = 10
    /// Seconds an idle keep-alive connection, or a stalled body, is kept.
    public var idleTimeout: Double = 60
    /// Seconds a client may take no bytes of our answer before we give up.
    public var sendTimeout: Double = 60
    /// Seconds we keep reading (and dropping) after an error answer.
    public var lingerTimeout: Double = 2
    /// Seconds a graceful stop lets idle keep-alive clients send one more
    /// request (answered with `Connection: close`) before closing them.
    public var drainGrace: Double = 0.5
    /// Bytes of queued output above which we stop reading requests.
    public var writeHighWater = 512 * 1024
    /// Bytes of unread input above which libevent stops reading the socket.
    public var readHighWater = 256 * 1024
    /// Bytes of a request body still read and dropped after an early answer
    /// (404, 409, 401...) to keep the connection; a larger body closes it.
    public var discardBodyLimit = 64 * 1024
    /// Most open client connections; beyond it new ones wait in the backlog.
    /// Size it from the descriptor limit with `connectionCap(descriptorLimit:)`.
    public var maxConnections = 10_000

    public init() {}

    /// The most connections `descriptorLimit` open files carry: each may hold
    /// a blob file (a download's sendfile, an upload's temporary) besides
    /// its socket, and a few descriptors stay for the listener, the loop,
    /// pipes and the store; never above 10,000.
    public static func connectionCap(descriptorLimit: Int) -> Int {
        let reserved = 32, perConnection = 2
        return max(1, min(10_000, (descriptorLimit - reserved) / perConnection))
    }
}
