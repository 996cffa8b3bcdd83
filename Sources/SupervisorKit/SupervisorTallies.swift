/// Why a child was started again: it died on its own, it stopped
/// answering its liveness probes, or it never became healthy in time.
public enum RestartCause: String, CaseIterable, Sendable {
    case crashed
    case hung
    case startTimeout = "start_timeout"
    /// Exited with the boot-failure code after the cluster had been ready.
    case bootFailed = "boot_failed"
}

/// Which way the worker target moved.
public enum ScaleDirection: String, CaseIterable, Sendable {
    case out
    case `in`
}

/// What the machine has done, counted for the operator (the supervisor's
/// metrics and `blob-cluster status`): restarts by role and cause, moves of
/// the worker target, and each port's restarts and last exit.
public struct SupervisorTallies: Equatable, Sendable {
    public private(set) var restarts: [RestartKey: Int] = [:]
    public private(set) var scaleEvents: [ScaleDirection: Int] = [:]
    /// By port: the children on a port are one slot to an operator (a
    /// worker reborn there after a crash is "that worker restarted").
    public private(set) var slots: [Int: SlotHistory] = [:]

    /// One port's past: how often its child was started again, and how
    /// the last one there ended and when.
    public struct SlotHistory: Equatable, Sendable {
        public var restarts = 0
        public var lastExit: ExitStatus?
        public var lastExitAt: Double?
    }

    public init() {}

    public struct RestartKey: Hashable, Sendable {
        public let role: ChildRole
        public let cause: RestartCause

        public init(role: ChildRole, cause: RestartCause) {
            self.role = role
            self.cause = cause
        }
    }

    mutating func restarted(_ role: ChildRole, on port: Int, because cause: RestartCause) {
        restarts[RestartKey(role: role, cause: cause), default: 0] += 1
        slots[port, default: SlotHistory()].restarts += 1
    }

    mutating func exited(on port: Int, _ status: ExitStatus, at now: Double) {
        slots[port, default: SlotHistory()].lastExit = status
        slots[port, default: SlotHistory()].lastExitAt = now
    }

    mutating func scaled(_ direction: ScaleDirection) {
        scaleEvents[direction, default: 0] += 1
    }

    public func restarts(_ role: ChildRole, _ cause: RestartCause) -> Int {
        restarts[RestartKey(role: role, cause: cause)] ?? 0
    }
}
