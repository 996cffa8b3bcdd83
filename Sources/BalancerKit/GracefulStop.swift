#if canImport(Glibc)
import Glibc
#endif
import EventCore
import Logging

/// Stopping the balancer: stop accepting, let connections in flight end
/// (up to a deadline), then leave the loop. A second request stops at once.
public final class GracefulStop {
    private let base: EventBase
    private let front: BalancerFront
    private let timeout: Double
    private let logger: Logger
    private var poll: LoopEvent?
    private var deadline: Double?

    public init(base: EventBase, front: BalancerFront, timeout: Double, logger: Logger) {
        self.base = base
        self.front = front
        self.timeout = timeout
        self.logger = logger
    }

    public func begin() {
        if deadline != nil { return now() }
        logger.info("stopping: no new connections, \(front.connectionCount) in flight")
        front.stopAccepting()
        deadline = base.cachedNow + timeout
        poll = LoopEvent.timer(base: base, repeating: true) { [unowned self] in
            if self.front.connectionCount == 0 || self.base.cachedNow >= self.deadline! { self.now() }
        }
        poll?.add(after: 0.05)
    }

    /// Leaves the loop now; the caller closes what is left.
    public func now() {
        poll?.cancel()
        base.stop()
    }

    public func close() {
        poll?.close()
        poll = nil
    }
}
