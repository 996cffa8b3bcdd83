import Histogram

/// What happened to the requests of one kind: latencies (microseconds, in
/// an HdrHistogram), statuses, and failures that got no status at all.
public struct KindStats: Sendable {
    public private(set) var latency = Histogram<UInt64>(highestTrackableValue: 600_000_000, numberOfSignificantValueDigits: .three)
    public private(set) var statuses: [Int: Int] = [:]
    /// refused, timeout, reset, verify (a GET that returned other bytes).
    public private(set) var errors: [String: Int] = [:]
    public private(set) var successes = 0

    public init() {}

    public var count: Int { statuses.values.reduce(0, +) + errors.values.reduce(0, +) - (errors["verify"] ?? 0) }

    /// A request answered with `status` after `micros`; `verified` is false
    /// when the body was not what was stored.
    public mutating func recordAnswer(status: Int, micros: UInt64, expected: Int, verified: Bool) {
        _ = latency.record(max(micros, 1))
        statuses[status, default: 0] += 1
        if !verified { errors["verify", default: 0] += 1 }
        if status == expected && verified { successes += 1 }
    }

    public mutating func recordFailure(_ reason: String) {
        errors[reason, default: 0] += 1
    }

    public var successRate: Double { count == 0 ? 0 : Double(successes) / Double(count) }
}
