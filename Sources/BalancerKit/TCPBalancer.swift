import EventCore
import Logging
#if canImport(Glibc)
import Glibc
#endif

/// tcp mode: each client connection goes, whole, to the next UP backend in
/// turn; a refused connect goes on to the next one (redispatch) without the
/// client noticing, up to `retries` more.
public final class TCPBalancer: BalancerFront {
    let base: EventBase
    private let config: BalancerConfig
    private let directory: BackendDirectory
    private let logger: Logger
    private var listener: Listener?
    /// The socket shared with the other balancers, if there is one.
    private var sharedListener: Listener?
    private var splices: [ObjectIdentifier: TCPSplice] = [:]
    private var sweeper: LoopEvent?
    /// One receive buffer for every splice: bytes are sent on or queued
    /// before the next read, and the loop runs one callback at a time.
    let scratch = UnsafeMutableRawBufferPointer.allocate(byteCount: 64 * 1024, alignment: 16)
    /// Counted when the balancer serves metrics (`--metrics-port`).
    private let metrics: BalancerMetrics?

    public init(base: EventBase, config: BalancerConfig, directory: BackendDirectory, logger: Logger,
                metrics: BalancerMetrics? = nil) throws(SystemError) {
        self.metrics = metrics
        self.base = base
        self.config = config
        self.directory = directory
        self.logger = logger
        listener = try Listener(base: base, address: config.listen) { [unowned self] fd, _ in self.accept(fd) }
        if let fd = config.sharedListenFD {
            do {
                sharedListener = try Listener(base: base, listeningFD: fd, host: config.listen.host) { [unowned self] fd, _ in self.accept(fd) }
            } catch {
                listener?.close()
                throw error
            }
        }
        sweeper = LoopEvent.timer(base: base, repeating: true) { [unowned self] in self.sweep() }
        sweeper?.add(after: 1)
    }

    public var address: SocketAddress { listener?.address ?? config.listen }
    public var sharedAddress: SocketAddress? { sharedListener?.address }
    public var connectionCount: Int { splices.count }
    public var sessionCount: Int { splices.count }

    private func accept(_ fd: Int32) {
        metrics?.accepted()
        let splice = TCPSplice(owner: self, clientFD: fd, now: base.cachedNow)
        splices[ObjectIdentifier(splice)] = splice
        if splices.count >= config.maxConnections {
            listener?.pause()
            sharedListener?.pause()
        }
        connect(splice, tried: [])
    }

    /// Connects `splice` to the next UP backend not yet tried.
    private func connect(_ splice: TCPSplice, tried: [SocketAddress]) {
        guard !splice.isClosed else { return }
        guard tried.count <= config.retries, let backend = directory.next(excluding: tried) else {
            logger.warning("no backend could take a connection (tried \(tried.count))")
            metrics?.droppedSessions.increment()
            return splice.close()
        }
        if let metrics, let failed = tried.last { metrics.figures(failed).retries.increment() }
        let startedAt = metrics == nil ? 0 : MonotonicClock.seconds()
        Connector(base: base, address: backend, timeout: config.connectTimeout) { [unowned self] result in
            if let metrics {
                let figures = metrics.figures(backend)
                if case .success = result {
                    figures.connectDuration.record(MonotonicClock.seconds() - startedAt)
                    figures.sessions.increment()
                } else {
                    figures.connectErrors.increment()
                }
            }
            switch result {
            case .success(let fd):
                splice.connected(serverFD: fd, backend: backend)
            case .failure(let error):
                self.logger.warning("connect to \(backend) failed: \(error)")
                self.directory.failed(backend)
                self.connect(splice, tried: tried + [backend])
            }
        }
    }

    func backendFailed(_ backend: SocketAddress) {
        metrics?.figures(backend).responseErrors.increment()
        directory.failed(backend)
    }

    func spliceClosed(_ splice: TCPSplice) {
        splices[ObjectIdentifier(splice)] = nil
        if splices.count == config.maxConnections - 1 {
            listener?.resume()
            sharedListener?.resume()
        }
    }

    /// Closes pairs idle past the client timeout (a pair is idle only when
    /// neither side moved a byte).
    private func sweep() {
        let now = base.cachedNow
        let timeout = max(config.clientTimeout, config.serverTimeout)
        for splice in Array(splices.values) where now - splice.lastActivity > timeout { splice.close() }
    }

    public func stopAccepting() {
        listener?.close()
        listener = nil
        sharedListener?.close()
        sharedListener = nil
    }

    public func close() {
        stopAccepting()
        sweeper?.close()
        sweeper = nil
        for splice in Array(splices.values) { splice.close() }
        scratch.deallocate()
    }
}
