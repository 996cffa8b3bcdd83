import Foundation
import Histogram

/// The results of a run: per request kind and overall, as text for people
/// and as one JSON object for scripts (whose top-level keys are unique in
/// the object, so a shell script can pick `wall_seconds`, `p50_ms`, ... with
/// one sed expression).
public struct LoadReport: Sendable {
    public let plan: LoadPlan
    public private(set) var kinds: [RequestKind: KindStats] = [:]
    public private(set) var all = KindStats()
    public var wallMicros: UInt64 = 0
    /// The client's own CPU time during the run (not its start-up).
    public var cpuMicros: UInt64 = 0
    /// Actions started: `amount`, or fewer when the plan's duration ended the run.
    public var actions = 0
    /// An open loop's actions: offered, sent, answered, dropped, and their
    /// latency from when each was due; nil for a closed loop.
    public var openLoop: OpenLoopCounts?

    init(plan: LoadPlan) {
        self.plan = plan
    }

    mutating func record(_ kind: RequestKind, micros: UInt64, outcome: LoadConnection.Outcome) {
        switch outcome {
        case .answered(let status, let verified, _):
            kinds[kind, default: KindStats()].recordAnswer(status: status, micros: micros, expected: kind.expectedStatus, verified: verified)
            all.recordAnswer(status: status, micros: micros, expected: kind.expectedStatus, verified: verified)
        case .failed(let reason):
            kinds[kind, default: KindStats()].recordFailure(reason)
            all.recordFailure(reason)
        }
    }

    public var seconds: Double { Double(wallMicros) / 1_000_000 }
    public var requests: Int { all.count }
    public var non2xx: Int { all.statuses.filter { !(200..<300).contains($0.key) }.values.reduce(0, +) }
    public var failures: Int { all.count - all.successes }

    static func milliseconds(_ micros: UInt64) -> Double { Double(micros) / 1000 }

    func latency(_ stats: KindStats) -> [String: Double] {
        let histogram = stats.latency
        guard histogram.totalCount > 0 else { return [:] }
        return [
            "min": Self.milliseconds(histogram.min), "avg": histogram.mean / 1000, "max": Self.milliseconds(histogram.max),
            "p50": Self.milliseconds(histogram.valueAtPercentile(50)), "p90": Self.milliseconds(histogram.valueAtPercentile(90)),
            "p99": Self.milliseconds(histogram.valueAtPercentile(99)), "p99.9": Self.milliseconds(histogram.valueAtPercentile(99.9)),
        ]
    }

    public func json() -> String {
        var kindObjects: [String: Any] = [:]
        for (kind, stats) in kinds {
            kindObjects[kind.rawValue] = [
                "count": stats.count, "success": stats.successes, "success_rate": stats.successRate,
                "statuses": Dictionary(uniqueKeysWithValues: stats.statuses.map { ("\($0.key)", $0.value) }),
                "errors": stats.errors, "latency_ms": latency(stats),
            ] as [String: Any]
        }
        var object: [String: Any] = [
            "action": plan.action.rawValue, "amount": plan.amount, "concurrency": plan.concurrency, "size": plan.size,
            "new_connection_per_request": plan.newConnectionPerRequest, "url": "http://\(plan.target.hostHeader)",
            "wall_seconds": seconds, "cpu_seconds": Double(cpuMicros) / 1_000_000, "actions": actions,
            "actions_per_second": seconds > 0 ? Double(actions) / seconds : 0,
            "requests": requests, "requests_per_second": seconds > 0 ? Double(requests) / seconds : 0,
            "non2xx": non2xx, "failures": failures, "errors": all.errors,
            "statuses": Dictionary(uniqueKeysWithValues: all.statuses.map { ("\($0.key)", $0.value) }),
            "p50_ms": latency(all)["p50"] ?? 0, "p99_ms": latency(all)["p99"] ?? 0,
            "latency_ms": latency(all), "kinds": kindObjects,
        ]
        if let open = openLoop, let schedule = plan.schedule {
            object.merge(openLoopJSON(open, schedule)) { $1 }
        }
        let data = try? JSONSerialization.data(withJSONObject: object, options: [.sortedKeys, .withoutEscapingSlashes])
        return data.map { String(decoding: $0, as: UTF8.self) } ?? "{}"
    }

    public func text() -> String {
        var lines: [String] = []
        let perSecond = seconds > 0 ? Double(requests) / seconds : 0
        lines.append("blob-load \(plan.action.rawValue): \(actions) actions, \(requests) requests, concurrency \(plan.concurrency), "
            + "\(plan.size) bytes, \(plan.newConnectionPerRequest ? "new connection per request" : "keep-alive")")
        lines.append(String(format: "wall %.3f s, %.1f actions/s, %.1f requests/s", seconds,
                            seconds > 0 ? Double(actions) / seconds : 0, perSecond))
        let errors = all.errors.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: " ")
        lines.append("failures \(failures) of \(requests) requests, non-2xx \(non2xx)" + (errors.isEmpty ? "" : ", errors \(errors)"))
        if let open = openLoop, let schedule = plan.schedule { lines += openLoopText(open, schedule) }
        for kind in RequestKind.allCases {
            guard let stats = kinds[kind] else { continue }
            let l = latency(stats)
            let statuses = stats.statuses.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: " ")
            let errors = stats.errors.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: " ")
            let name = kind.rawValue.padding(toLength: 14, withPad: " ", startingAt: 0)
            lines.append("  \(name) " + String(format: "%6d requests, success %.2f%%", stats.count, stats.successRate * 100)
                + (statuses.isEmpty ? "" : "  status \(statuses)") + (errors.isEmpty ? "" : "  errors \(errors)"))
            if !l.isEmpty {
                lines.append("  \(name) " + String(format: "latency ms min %.3f avg %.3f max %.3f p50 %.3f p90 %.3f p99 %.3f p99.9 %.3f",
                                                     l["min"]!, l["avg"]!, l["max"]!, l["p50"]!, l["p90"]!, l["p99"]!, l["p99.9"]!))
            }
        }
        return lines.joined(separator: "\n")
    }
}
