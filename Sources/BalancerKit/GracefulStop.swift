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

/// Line commands from an inherited descriptor; `onCommand(nil)` at EOF.
public enum ControlChannel {
    public static func watch(base: EventBase, fd: Int32, logger: Logger, onCommand: @escaping (ControlCommand?) -> Void) -> LoopEvent {
        var pending: [UInt8] = []
        var ended = false
        return LoopEvent.readable(base: base, fd: fd) {
            guard !ended else { return }
            var chunk = [UInt8](repeating: 0, count: 4096)
            let count = chunk.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
            if count < 0 && (errno == EINTR || errno == EAGAIN) { return }
            if count <= 0 {
                ended = true
                logger.warning("control channel closed (supervisor gone): stopping")
                return onCommand(nil)
            }
            pending += chunk[0..<count]
            while let newline = pending.firstIndex(of: 10) {
                let line = String(decoding: pending[..<newline], as: UTF8.self)
                pending.removeSubrange(...newline)
                if let command = ControlCommand(line: Substring(line)) { onCommand(command) } else {
                    logger.warning("ignoring control line '\(line)'")
                }
            }
        }
    }
}

/// Process limits.
public enum Resources {
    /// Raises the open-file soft limit to the hard one: a proxy holds two
    /// descriptors per client.
    public static func raiseDescriptorLimit() {
        var limit = rlimit()
        if getrlimit(__rlimit_resource_t(RLIMIT_NOFILE.rawValue), &limit) == 0 && limit.rlim_cur < limit.rlim_max {
            limit.rlim_cur = limit.rlim_max
            setrlimit(__rlimit_resource_t(RLIMIT_NOFILE.rawValue), &limit)
        }
    }
}
