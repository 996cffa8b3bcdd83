import EventCore
import Logging
#if canImport(Glibc)
import Glibc
#endif

/// http mode: round robin per request over kept-alive backend connections
/// (an idle pool per backend), X-Forwarded-For, bodies streamed both ways,
/// 502/503/504 of its own, retries the way haproxy does.
public final class HTTPBalancer: BalancerFront {
    let base: EventBase
    let config: BalancerConfig
    let directory: BackendDirectory
    private let logger: Logger
    private var listener: Listener?
    /// The socket shared with the other balancers, if there is one.
    private var sharedListener: Listener?
    private var sessions: [ObjectIdentifier: HTTPSession] = [:]
    private var connections: [ObjectIdentifier: BackendConnection] = [:]
    /// Idle kept-alive connections, one list per backend address. A short
    /// array searched by port then host: cheaper than hashing the address's
    /// String on every request, and lists are popped in place (no copy).
    private var idle: [(address: SocketAddress, connections: [BackendConnection])] = []
    private var sweeper: LoopEvent?
    /// Keys for the writing requests that come without one.
    let idempotencyKeys = IdempotencyKeySource()
    private(set) var isStopping = false
    /// Counted when the balancer serves metrics (`--metrics-port`).
    let metrics: BalancerMetrics?

    public init(base: EventBase, config: BalancerConfig, directory: BackendDirectory, logger: Logger,
                metrics: BalancerMetrics? = nil) throws(SystemError) {
        self.metrics = metrics
        self.base = base
        self.config = config
        self.directory = directory
        self.logger = logger
        listener = try Listener(base: base, address: config.listen) { [unowned self] fd, peer in self.accept(fd, peer: peer) }
        if let fd = config.sharedListenFD {
            do {
                sharedListener = try Listener(base: base, listeningFD: fd, host: config.listen.host) { [unowned self] fd, peer in self.accept(fd, peer: peer) }
            } catch {
                listener?.close()
                throw error
            }
        }
        sweeper = LoopEvent.timer(base: base, repeating: true) { [unowned self] in self.sweep() }
        sweeper?.add(after: 0.5)
    }

    public var address: SocketAddress { listener?.address ?? config.listen }
    public var sharedAddress: SocketAddress? { sharedListener?.address }
    /// Sessions with a request in flight (idle kept-alive clients do not count).
    /// Client connections open (busy or idle).
    public var sessionCount: Int { sessions.count }
    public var connectionCount: Int { isStopping ? sessions.values.filter(\.isBusy).count : sessions.count }

    private func accept(_ fd: Int32, peer: String) {
        Sockets.setNoDelay(fd)
        metrics?.accepted()
        let session = HTTPSession(owner: self, fd: fd, peer: peer)
        sessions[ObjectIdentifier(session)] = session
        if sessions.count >= config.maxConnections {
            listener?.pause()
            sharedListener?.pause()
        }
        session.start()
    }

    func sessionClosed(_ session: HTTPSession) {
        sessions[ObjectIdentifier(session)] = nil
        if sessions.count == config.maxConnections - 1 {
            listener?.resume()
            sharedListener?.resume()
        }
    }

    func adopt(fd: Int32, address: SocketAddress) -> BackendConnection {
        let connection = BackendConnection(owner: self, fd: fd, address: address)
        connections[ObjectIdentifier(connection)] = connection
        return connection
    }

    /// An idle, still open connection to `address`, if the pool has one.
    func takeIdle(_ address: SocketAddress) -> BackendConnection? {
        guard let slot = idleSlot(address) else { return nil }
        while let connection = idle[slot].connections.popLast() {
            if connection.isOpen { return connection }
        }
        return nil
    }

    private func idleSlot(_ address: SocketAddress) -> Int? {
        for index in idle.indices where idle[index].address.port == address.port && idle[index].address.host == address.host {
            return index
        }
        return nil
    }

    /// A connection whose exchange ended cleanly goes back to its pool.
    func release(_ connection: BackendConnection) {
        connection.finishRequest()
        guard !isStopping, directory.isKnown(connection.address) else { return connection.close() }
        if let slot = idleSlot(connection.address) {
            idle[slot].connections.append(connection)
        } else {
            idle.append((connection.address, [connection]))
        }
    }

    func backendClosed(_ connection: BackendConnection) {
        connections[ObjectIdentifier(connection)] = nil
        if let slot = idleSlot(connection.address) { idle[slot].connections.removeAll { $0 === connection } }
    }

    private func sweep() {
        let now = base.cachedNow
        for session in Array(sessions.values) { session.checkTimeouts(now: now) }
    }

    public func stopAccepting() {
        isStopping = true
        listener?.close()
        listener = nil
        sharedListener?.close()
        sharedListener = nil
        for session in Array(sessions.values) where !session.isBusy { session.close() }
    }

    public func close() {
        stopAccepting()
        sweeper?.close()
        sweeper = nil
        for session in Array(sessions.values) { session.close() }
        for connection in Array(connections.values) { connection.close() }
    }
}
