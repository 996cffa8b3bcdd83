import ClusterControl
import EventCore
import Logging

/// The balancer's knowledge of its backends: the round-robin pool, the
/// periodic health checks that move backends UP and DOWN (inter/rise/fall),
/// and the supervisor's add/drain/remove orders. Shared by both modes.
public final class BackendDirectory {
    private(set) var pool: BackendPool
    private let base: EventBase
    private let config: BalancerConfig
    private let logger: Logger
    private var checkTimer: LoopEvent?
    private var checking: Set<SocketAddress> = []

    public init(base: EventBase, config: BalancerConfig, logger: Logger) {
        self.base = base
        self.config = config
        self.logger = logger
        pool = BackendPool(addresses: config.backends, rise: config.rise, fall: config.fall)
        checkTimer = LoopEvent.timer(base: base, repeating: true) { [unowned self] in self.checkAll() }
        checkTimer?.add(after: config.checkInterval)
    }

    public var upCount: Int { pool.upCount }

    /// Whether `address` is still one of the backends (up, down or draining).
    func isKnown(_ address: SocketAddress) -> Bool {
        pool.backends.contains { $0.address.port == address.port && $0.address.host == address.host }
    }

    func next(excluding excluded: [SocketAddress]) -> SocketAddress? {
        pool.next(excluding: excluded)
    }

    /// A connect was refused or a live connection reset: DOWN now.
    func failed(_ address: SocketAddress) {
        if pool.markDown(address) { logger.warning("backend \(address) is DOWN (connection failed)") }
    }

    public func apply(_ command: ControlCommand) {
        switch command {
        case .add(let address):
            pool.add(address)
            logger.info("backend \(address) added")
        case .drain(let address):
            pool.drain(address)
            logger.info("backend \(address) draining")
        case .remove(let address):
            pool.remove(address)
            logger.info("backend \(address) removed")
        case .stop, .report:
            break
        }
    }

    /// Each backend and its state, for the supervisor's `report`.
    public var report: BackendReport {
        BackendReport(entries: pool.backends.map { backend in
            let state: String
            switch backend.state {
            case .up: state = "up"
            case .down: state = "down"
            case .draining: state = "draining"
            }
            return BackendReport.Entry(address: backend.address, state: state)
        })
    }

    private func checkAll() {
        for backend in pool.backends where backend.state != .draining {
            let address = backend.address
            let key = address
            guard !checking.contains(key) else { continue }
            checking.insert(key)
            HealthProbe(base: base, address: address, kind: config.httpCheck ? .httpHealthcheck : .tcpConnect,
                        timeout: min(config.checkInterval, config.connectTimeout)) { [weak self] healthy in
                guard let self else { return }
                self.checking.remove(key)
                if let state = self.pool.record(check: healthy, for: address) {
                    self.logger.info("backend \(address) is \(state == .up ? "UP" : "DOWN") (health check)")
                }
            }
        }
    }

    public func close() {
        checkTimer?.close()
        checkTimer = nil
    }
}

