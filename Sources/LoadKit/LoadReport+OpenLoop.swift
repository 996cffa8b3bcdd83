import Foundation

/// The open loop's part of the report: what was offered against what was
/// answered, and the latency of actions from when they were due. JSON keys
/// are top-level and unique (`action_p99_ms`, not a second `p99_ms`), so a
/// script reads them as it reads the rest.
extension LoadReport {
    /// The schedule as `--phases` writes it: `200:10s,1500:20s`.
    static func phasesText(_ schedule: RateSchedule) -> String {
        schedule.phases.map { "\(number($0.rate)):\(number($0.seconds))s" }.joined(separator: ",")
    }

    private static func number(_ value: Double) -> String {
        value == value.rounded() && abs(value) < 1e15 ? String(Int(value)) : String(value)
    }

    func openLoopJSON(_ open: OpenLoopCounts, _ schedule: RateSchedule) -> [String: Any] {
        [
            "phases": Self.phasesText(schedule), "backlog": plan.backlog,
            "offered": open.offered, "sent": open.sent, "answered": open.answered, "ok": open.ok,
            "action_errors": open.errors, "dropped": open.dropped,
            "action_p50_ms": open.milliseconds(atPercentile: 50) ?? 0, "action_p90_ms": open.milliseconds(atPercentile: 90) ?? 0,
            "action_p99_ms": open.milliseconds(atPercentile: 99) ?? 0, "action_max_ms": open.milliseconds(atPercentile: 100) ?? 0,
        ]
    }

    func openLoopText(_ open: OpenLoopCounts, _ schedule: RateSchedule) -> [String] {
        var lines = ["open loop \(Self.phasesText(schedule)) (actions/s:duration), at most \(plan.concurrency) connections, backlog \(plan.backlog): "
            + "offered \(open.offered), sent \(open.sent), answered \(open.answered), ok \(open.ok), errors \(open.errors), dropped \(open.dropped)"]
        if let p50 = open.milliseconds(atPercentile: 50) {
            lines.append(String(format: "  actions latency ms from due time p50 %.3f p90 %.3f p99 %.3f max %.3f", p50,
                                open.milliseconds(atPercentile: 90)!, open.milliseconds(atPercentile: 99)!, open.milliseconds(atPercentile: 100)!))
        }
        return lines
    }
}
