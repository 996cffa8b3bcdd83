import Histogram

/// What an open-loop run offered and got back, over one second of the
/// timeline or the whole run. Latency is per answered action, from when it
/// was due (not from when a connection took it), in microseconds.
public struct OpenLoopCounts: Sendable {
    /// Actions due by the schedule.
    public private(set) var offered = 0
    /// Actions a connection took (their first request written).
    public private(set) var sent = 0
    /// Actions whose requests were all answered, whatever the status.
    public private(set) var answered = 0
    /// Actions whose requests were all answered 200 (bytes verified).
    public private(set) var ok = 0
    /// Actions not ok: another status, no answer, or dropped.
    public private(set) var errors = 0
    /// Actions never sent: due when the backlog was full.
    public private(set) var dropped = 0
    /// Two significant digits (1%) keep one histogram per second small.
    public private(set) var latency = Histogram<UInt64>(highestTrackableValue: 3_600_000_000, numberOfSignificantValueDigits: .two)

    public init() {}

    mutating func countOffered() { offered += 1 }
    mutating func countSent() { sent += 1 }

    mutating func countEnd(_ result: ActionResult, latencyMicros: UInt64) {
        if result.isAnswered {
            answered += 1
            _ = latency.record(max(latencyMicros, 1))
        }
        if result == .ok { ok += 1 } else { errors += 1 }
        if result == .dropped { dropped += 1 }
    }

    /// The latency at `percentile` in milliseconds, nil when nothing was answered.
    public func milliseconds(atPercentile percentile: Double) -> Double? {
        latency.totalCount == 0 ? nil : Double(latency.valueAtPercentile(percentile)) / 1000
    }
}
