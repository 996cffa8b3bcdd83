import CLibevent
import EventCore
import HTTP1
#if canImport(Glibc)
import Glibc
#endif

/// A listener plus its connections: accepts clients, runs each through an
/// `HTTPConnection`, and sweeps for timed-out ones once a second.
public final class HTTPServer {
    let base: EventBase
    let handler: HTTPHandler
    let config: HTTPServerConfig
    let date = HTTPDate()
    /// Told of every answer (metrics, access log); nil costs nothing. Set
    /// it before the loop runs: each connection keeps the one it started with.
    public var observer: HTTPServerObserver?
    private var listener: Listener?
    /// A listening socket shared with other processes (`listen(onShared:)`).
    private var sharedListener: Listener?
    private var sweeper: LoopEvent?
    private var connections: [ObjectIdentifier: HTTPConnection] = [:]
    private var drained: (() -> Void)?
    /// Set once a graceful stop began: answers close their connection.
    private(set) var isDraining = false

    /// Binds `address` (port 0 picks a free port) and starts accepting.
    public init(base: EventBase, address: SocketAddress, handler: HTTPHandler, config: HTTPServerConfig = HTTPServerConfig()) throws(SystemError) {
        self.base = base
        self.handler = handler
        self.config = config
        listener = try Listener(base: base, address: address) { [unowned self] fd, peer in self.accept(fd, peer: peer) }
        sweeper = LoopEvent.timer(base: base, repeating: true) { [unowned self] in self.sweep() }
        sweeper?.add(after: 1)
    }

    /// Also accepts on `fd`, a listening socket other processes accept on too
    /// (the cluster's direct mode). Paused, resumed and closed with the own
    /// listener; closing our copy leaves the socket to the others.
    public func listen(onShared fd: Int32) throws(SystemError) {
        sharedListener?.close()
        sharedListener = try Listener(base: base, listeningFD: fd, host: address.host) { [unowned self] fd, peer in
            self.accept(fd, peer: peer)
        }
    }

    /// The shared socket's address, if there is one.
    public var sharedAddress: SocketAddress? { sharedListener?.address }

    /// Client connections open now.
    public var openConnections: Int { connections.count }

    /// Where the server listens, with the real port.
    public var address: SocketAddress { listener!.address }

    /// Stops accepting; open connections carry on until `close()`.
    public func stopAccepting() {
        listener?.close()
        listener = nil
        sharedListener?.close()
        sharedListener = nil
    }

    /// Stops gracefully: no new connections, idle ones closed now, busy ones
    /// closed after their answer; `done` runs once none is left, or after
    /// `timeout` seconds with whatever remains closed.
    public func drain(timeout: Double, done: @escaping () -> Void) {
        stopAccepting()
        isDraining = true
        drained = done
        for connection in Array(connections.values) where connection.isIdleBetweenRequests { connection.close() }
        let deadline = LoopEvent.timer(base: base, repeating: false) { [unowned self] in
            for connection in Array(self.connections.values) { connection.close() }
            self.finishDrain()
        }
        deadline.add(after: timeout)
        drainDeadline = deadline
        finishDrainIfEmpty()
    }

    private var drainDeadline: LoopEvent?

    private func finishDrainIfEmpty() {
        if isDraining && connections.isEmpty { finishDrain() }
    }

    private func finishDrain() {
        drainDeadline?.close()
        drainDeadline = nil
        let done = drained
        drained = nil
        done?()
    }

    /// Closes the listener and every connection.
    public func close() {
        stopAccepting()
        sweeper?.close()
        sweeper = nil
        drainDeadline?.close()
        drainDeadline = nil
        for connection in Array(connections.values) { connection.close() }
    }

    private func accept(_ fd: Int32, peer: String) {
        let connection = HTTPConnection(server: self, fd: fd, peer: peer)
        guard connection.isOpen else { return }
        connections[ObjectIdentifier(connection)] = connection
        if connections.count >= config.maxConnections {
            listener?.pause()
            sharedListener?.pause()
        }
        connection.start()
    }

    func connectionClosed(_ connection: HTTPConnection) {
        connections[ObjectIdentifier(connection)] = nil
        if connections.count == config.maxConnections - 1 {
            listener?.resume()
            sharedListener?.resume()
        }
        finishDrainIfEmpty()
    }

    /// Closes what overstayed: slow heads get 408, idle keep-alives and
    /// stalled bodies are closed, lingering closes end.
    private func sweep() {
        let now = base.cachedNow
        for connection in Array(connections.values) {
            if let since = connection.isLingering {
                if now - since > config.lingerTimeout { connection.close() }
            } else if let started = connection.headStartedAt, now - started > config.headerTimeout {
                connection.timeOutHead()
            } else if connection.outputStalled(now: now, timeout: config.sendTimeout) {
                connection.close()
            } else if connection.hasNoPendingOutput, !connection.isAwaitingAnswer,
                      now - connection.lastActivity > config.idleTimeout {
                connection.close()
            }
        }
    }
}
