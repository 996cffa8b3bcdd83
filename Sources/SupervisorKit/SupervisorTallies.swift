/// Why a child was started again: it died on its own, it stopped
/// answering its liveness probes, or it never became healthy in time.
public enum RestartCause: String, CaseIterable, Sendable {
    case crashed
    case hung
    case startTimeout = "start_timeout"
}

/// Which way the worker target moved.
public enum ScaleDirection: String, CaseIterable, Sendable {
    case out
    case `in`
}

/// What the machine has done, counted for the operator (the supervisor's
/// metrics): restarts by role and cause, moves of the worker target.
public struct SupervisorTallies: Equatable, Sendable {
    public private(set) var restarts: [RestartKey: Int] = [:]
    public private(set) var scaleEvents: [ScaleDirection: Int] = [:]

    public init() {}

    public struct RestartKey: Hashable, Sendable {
        public let role: ChildRole
        public let cause: RestartCause

        public init(role: ChildRole, cause: RestartCause) {
            self.role = role
            self.cause = cause
        }
    }

    mutating func restarted(_ role: ChildRole, because cause: RestartCause) {
        restarts[RestartKey(role: role, cause: cause), default: 0] += 1
    }

    mutating func scaled(_ direction: ScaleDirection) {
        scaleEvents[direction, default: 0] += 1
    }

    public func restarts(_ role: ChildRole, _ cause: RestartCause) -> Int {
        restarts[RestartKey(role: role, cause: cause)] ?? 0
    }
}
