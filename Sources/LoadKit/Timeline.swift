/// The per-second lines of an open-loop run, for plotting offered and
/// answered rates, errors and p99 over time. Second s holds what happened
/// in [s, s+1) from the run's start: actions due (offered) and dropped by
/// their due time, sent by when a connection took them, the rest by when
/// the action ended. Rows are handed out once each second is over, with
/// empty seconds included, so the lines are contiguous.
struct Timeline {
    static let header = "# second offered sent answered ok errors dropped p50_ms p99_ms"

    /// Seconds not yet handed out; the first is `nextRow`.
    private var pending: [OpenLoopCounts] = []
    private(set) var nextRow = 0

    /// The counts of the second holding `micros`; a time in a second already
    /// handed out (it cannot be, with a monotonic clock) goes to the first open one.
    private mutating func update(atMicros micros: UInt64, _ change: (inout OpenLoopCounts) -> Void) {
        let index = max(Int(micros / 1_000_000) - nextRow, 0)
        while pending.count <= index { pending.append(OpenLoopCounts()) }
        change(&pending[index])
    }

    mutating func countOffered(atMicros micros: UInt64) { update(atMicros: micros) { $0.countOffered() } }
    mutating func countSent(atMicros micros: UInt64) { update(atMicros: micros) { $0.countSent() } }

    mutating func countEnd(_ result: ActionResult, atMicros micros: UInt64, latencyMicros: UInt64) {
        update(atMicros: micros) { $0.countEnd(result, latencyMicros: latencyMicros) }
    }

    /// The lines of every second before `second`, removed from the timeline.
    mutating func rows(before second: Int) -> [String] {
        var lines: [String] = []
        while nextRow < second {
            let counts = pending.isEmpty ? OpenLoopCounts() : pending.removeFirst()
            lines.append(Timeline.row(second: nextRow, counts))
            nextRow += 1
        }
        return lines
    }

    /// One line: integers, then p50 and p99 in ms with three decimals, or
    /// `nan` for a second in which no action was answered.
    static func row(second: Int, _ counts: OpenLoopCounts) -> String {
        func ms(_ percentile: Double) -> String {
            guard let value = counts.milliseconds(atPercentile: percentile) else { return "nan" }
            let thousandths = Int((value * 1000).rounded())
            let fraction = String(thousandths % 1000)
            return "\(thousandths / 1000)." + String(repeating: "0", count: 3 - fraction.count) + fraction
        }
        return "\(second) \(counts.offered) \(counts.sent) \(counts.answered) \(counts.ok) \(counts.errors) \(counts.dropped) \(ms(50)) \(ms(99))"
    }
}
