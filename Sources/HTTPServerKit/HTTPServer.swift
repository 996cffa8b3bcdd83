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
    private var phase = Phase.serving

    /// Where the server is in its life; a graceful stop owns its two timers.
    private enum Phase {
        case serving
        /// `drain` began: the end of the idle connections' grace, the
        /// deadline for the rest, and what runs once none is left.
        case draining(grace: LoopEvent, deadline: LoopEvent, done: () -> Void)
        /// The drain ended, or `close()` ran.
        case stopped
    }

    /// Once a graceful stop began, answers close their connection.
    var isDraining: Bool {
        if case .serving = phase { return false }
        return true
    }

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

    /// Stops gracefully: no new connections; every answer from now on says
    /// `Connection: close` and closes its connection. Connections idle
    /// between requests get `config.drainGrace` seconds to send one more
    /// (haproxy's idle-close-on-response): closing them at once could cross
    /// a request already on its way, which its client would see as a reset.
    /// Those still quiet then are closed. `done` runs once no connection is
    /// left, or after `timeout` seconds with whatever remains closed.
    public func drain(timeout: Double, done: @escaping () -> Void) {
        guard case .serving = phase else { return }
        stopAccepting()
        let grace = LoopEvent.timer(base: base, repeating: false) { [unowned self] in self.closeQuietConnections() }
        grace.add(after: min(config.drainGrace, timeout))
        let deadline = LoopEvent.timer(base: base, repeating: false) { [unowned self] in
            for connection in Array(self.connections.values) { connection.close() }
            self.finishDrain()
        }
        deadline.add(after: timeout)
        phase = .draining(grace: grace, deadline: deadline, done: done)
        finishDrainIfEmpty()
    }

    /// Closes the connections with no request under way and none waiting
    /// unread in the socket (one that came in this loop turn is answered).
    private func closeQuietConnections() {
        for connection in Array(connections.values) where connection.isIdleBetweenRequests && !connection.hasUnreadBytes {
            connection.close()
        }
    }

    private func finishDrainIfEmpty() {
        if isDraining && connections.isEmpty { finishDrain() }
    }

    private func finishDrain() {
        guard case .draining(let grace, let deadline, let done) = phase else { return }
        grace.close()
        deadline.close()
        phase = .stopped
        done()
    }

    /// Closes the listener and every connection.
    public func close() {
        stopAccepting()
        sweeper?.close()
        sweeper = nil
        if case .draining(let grace, let deadline, _) = phase {
            grace.close()
            deadline.close()
        }
        phase = .stopped
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
                      now - connection.lastActivity > config.idleTimeout, !connection.hasUnreadBytes {
                connection.close()
            }
        }
    }
}
