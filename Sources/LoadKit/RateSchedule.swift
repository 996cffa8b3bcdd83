/// When an open-loop run starts each action: phases of a fixed rate, one
/// after another, the i-th action of a phase at its start + i/rate. Times
/// come from this arithmetic, never from the previous send, so a late
/// wake-up catches up instead of drifting, and an action's latency can be
/// counted from when it was due (the coordinated-omission correction).
public struct RateSchedule: Sendable, Equatable {
    /// `rate` actions per second for `seconds` (0 is a pause).
    public struct Phase: Sendable, Equatable {
        public let rate: Double
        public let seconds: Double

        public init(rate: Double, seconds: Double) {
            self.rate = rate
            self.seconds = seconds
        }

        /// Actions due in the phase: those due strictly before its end.
        /// The epsilon keeps 200/s × 2 s at 400 when the product is 399.999….
        var count: Int { Int((rate * seconds + 1e-9).rounded(.down)) }
    }

    public let phases: [Phase]
    /// Index of each phase's first action, and the total last.
    private let firstIndex: [Int]

    public init(phases: [Phase]) {
        self.phases = phases
        var indices = [0]
        for phase in phases { indices.append(indices.last! + phase.count) }
        firstIndex = indices
    }

    /// `--rate R --duration D`: one phase.
    public init(rate: Double, seconds: Double) {
        self.init(phases: [Phase(rate: rate, seconds: seconds)])
    }

    public var count: Int { firstIndex.last! }

    /// Microseconds from the run's start to the end of the last phase.
    public var durationMicros: UInt64 { UInt64((phases.reduce(0) { $0 + $1.seconds } * 1_000_000).rounded()) }

    /// Microseconds from the run's start at which action `index` is due.
    public func dueMicros(_ index: Int) -> UInt64 {
        precondition(index >= 0 && index < count, "action \(index) outside the schedule")
        var start = 0.0
        for (number, phase) in phases.enumerated() {
            if index < firstIndex[number + 1] {
                return UInt64(((start + Double(index - firstIndex[number]) / phase.rate) * 1_000_000).rounded())
            }
            start += phase.seconds
        }
        preconditionFailure("unreachable: index checked against count")
    }
}
