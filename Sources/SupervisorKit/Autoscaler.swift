/// `--autoscale`'s settings: target tracking on worker CPU, as AWS's target
/// tracking policies have it (a target, a cool-down each way, a tolerance).
///
/// Why worker CPU: adding a worker process only helps when the workers are
/// short of CPU (the study's question is whether more processes use more
/// cores); /proc gives it for every mode, direct included (no balancer to
/// ask for in-flight counts), and it does not rise when a slow disk or a slow
/// client makes requests wait, where more workers would not help.
public struct AutoscalePolicy: Equatable, Sendable {
    /// Never fewer workers than this (`--min-workers`); the most is
    /// `SupervisorConfig.maxWorkers`.
    public var minWorkers: Int
    /// CPU per serving worker to aim for, as a fraction of one core
    /// (`--autoscale-target`, 0.6 for 60 %).
    public var targetUtilization: Double
    /// After scaling out, no further scale out for this long: the new
    /// workers need a while before the load spreads onto them.
    public var scaleOutCooldown: Double = 10
    /// Scaling in needs the load to have stayed low this long, counted from
    /// the last change of the count too (AWS scales in slowly: removing
    /// capacity too early costs more than keeping it a little longer).
    public var scaleInCooldown: Double = 30
    /// The band around the target where nothing moves, as a fraction of it:
    /// out above target × (1 + tolerance), in only if the workers left
    /// would stay below target × (1 - tolerance). Keeps noise from flapping.
    public var tolerance: Double = 0.1
    /// Samples the CPU is averaged over (AWS's alarms average a period too):
    /// one second of a lightly loaded worker's CPU is mostly noise (a
    /// probe, a scrape, a timer), and a move on noise is a move back soon.
    public var averagedSamples = 3

    public init(minWorkers: Int, targetUtilization: Double) {
        self.minWorkers = minWorkers
        self.targetUtilization = targetUtilization
    }
}

/// What the autoscaler concluded from one sample.
public enum AutoscaleDecision: Equatable, Sendable {
    /// Move the worker target to `workers`, for the reason given (logged).
    case scale(to: Int, reason: String)
    /// Keep the count; `reason` says why nothing moved (not logged: one a second).
    case hold(reason: String)
}

/// The policy's memory between samples: the last CPU reading of each
/// worker, when the count last changed, and since when the load has been
/// low enough to scale in. Pure: the machine feeds it samples and the clock.
public struct Autoscaler: Sendable {
    public let policy: AutoscalePolicy
    let maxWorkers: Int
    /// The last `averagedSamples + 1` samples, oldest first: when, and each
    /// worker's CPU seconds then.
    private var history: [(at: Double, cpu: [Int32: Double])] = []
    /// When the target last moved (by us or by a signal).
    private var lastChange = -Double.infinity
    private var lastScaleOut = -Double.infinity
    /// Since when every sample has allowed scaling in; nil: the last one did not.
    private var lowSince: Double?
    /// The serving workers' mean CPU, a fraction of a core, at the last
    /// sample that measured any (the metrics show it).
    public private(set) var utilization: Double?

    public init(policy: AutoscalePolicy, maxWorkers: Int) {
        self.policy = policy
        self.maxWorkers = maxWorkers
    }

    /// The count moved (by us, or SIGTTIN/SIGTTOU): cool-downs count from
    /// now, the low stretch starts again, and the window too (the workers'
    /// CPU before the move says nothing of the count after it).
    mutating func targetMoved(now: Double) {
        lastChange = now
        lowSince = nil
        history.removeAll()
    }

    /// One sample: `cpu` is the cumulative CPU seconds (user + system) of
    /// each serving worker at `now`; `target` the current worker target.
    /// `settled` is false while workers start, drain or are replaced: their
    /// CPU then is boot or drain cost, not load, so no decision is made and
    /// the low stretch starts again.
    mutating func sample(cpu: [Int32: Double], target: Int, settled: Bool, now: Double) -> AutoscaleDecision {
        history.append((now, cpu))
        if history.count > window + 1 { history.removeFirst(history.count - window - 1) }
        guard settled else {
            lowSince = nil
            return .hold(reason: "workers are starting or stopping")
        }
        let bounds = policy.minWorkers...maxWorkers
        if !bounds.contains(target) {
            let wanted = min(max(target, bounds.lowerBound), bounds.upperBound)
            return moved(to: wanted, from: target, now: now, reason: "outside --min-workers...--max-workers \(bounds)")
        }
        // Over the whole window, for the workers in all of it (a new one
        // joins once it has been measured that long).
        guard history.count > window, let oldest = history.first, now > oldest.at else {
            return .hold(reason: "not enough samples yet")
        }
        let interval = now - oldest.at
        let measured = cpu.compactMap { pid, seconds in oldest.cpu[pid].map { max(0, seconds - $0) / interval } }
        guard !measured.isEmpty else { return .hold(reason: "no worker measured over the window yet") }
        let mean = measured.reduce(0, +) / Double(measured.count)
        utilization = mean
        // The CPU the workers use in all, spread over the count that puts
        // each at the target.
        let load = mean * Double(target)
        let goal = policy.targetUtilization
        let shown = "CPU \(Self.percent(mean)) of a core per worker, target \(Self.percent(goal))"
        if mean > goal * (1 + policy.tolerance), target < maxWorkers {
            lowSince = nil
            guard now - lastScaleOut >= policy.scaleOutCooldown else { return .hold(reason: "\(shown); scale-out cool-down") }
            // The epsilon keeps an exact multiple (3 cores at 0.6) from rounding up on a float error.
            let wanted = min(max(Int((load / goal - 1e-9).rounded(.up)), target + 1), maxWorkers)
            lastScaleOut = now
            return moved(to: wanted, from: target, now: now, reason: shown)
        }
        let afterRemoval = target > 1 ? load / Double(target - 1) : .infinity
        guard target > policy.minWorkers, afterRemoval < goal * (1 - policy.tolerance) else {
            lowSince = nil
            return .hold(reason: shown)
        }
        let since = lowSince ?? now
        lowSince = since
        let waited = now - max(since, lastChange)
        guard waited >= policy.scaleInCooldown else { return .hold(reason: "\(shown); low for \(Int(waited)) s") }
        return moved(to: target - 1, from: target, now: now,
                     reason: "\(shown), \(Self.percent(afterRemoval)) with one fewer, for \(Int(waited)) s")
    }

    /// Sample intervals the CPU is averaged over (at least one).
    private var window: Int { max(policy.averagedSamples, 1) }

    private mutating func moved(to wanted: Int, from target: Int, now: Double, reason: String) -> AutoscaleDecision {
        targetMoved(now: now)
        return .scale(to: wanted, reason: reason)
    }

    static func percent(_ fraction: Double) -> String { "\(Int((fraction * 100).rounded())) %" }
}
