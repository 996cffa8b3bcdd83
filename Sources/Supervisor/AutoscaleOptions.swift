import ArgumentParser
import CommandLineSupport
import SupervisorKit

/// `--autoscale` and its knobs: the worker count follows the workers' CPU
/// (target tracking; the policy is `SupervisorKit.Autoscaler`).
struct AutoscaleOptions: ParsableArguments {
    @Flag(help: "Move the worker count with the workers' CPU (from /proc) between --min-workers and --max-workers: out when they average more than --autoscale-target of a core, in (one at a time, each drained first) once fewer would stay below it for --scale-in-cooldown. SIGTTIN/SIGTTOU still move the count; the policy goes on from there.")
    var autoscale = false

    @Option(help: "With --autoscale: the fewest workers.")
    var minWorkers: Int = 1

    @Option(help: "With --autoscale: the CPU per worker to aim for, in percent of one core (5...95).")
    var autoscaleTarget: Int = 60

    @Option(help: "With --autoscale: how often the workers' CPU is sampled (e.g. 1s).")
    var autoscaleInterval: TimeSpan = "1s"

    @Option(help: "With --autoscale: after a scale out, no further one for this long (e.g. 10s).")
    var scaleOutCooldown: TimeSpan = "10s"

    @Option(help: "With --autoscale: how long the load must stay low, since the last change of the count, before one worker is removed (e.g. 30s).")
    var scaleInCooldown: TimeSpan = "30s"

    func validate(workers: Int, maxWorkers: Int) throws {
        guard autoscale else {
            // A knob without the flag would be silently ignored.
            let defaults = AutoscaleOptions.defaults
            if minWorkers != defaults.minWorkers || autoscaleTarget != defaults.autoscaleTarget
                || autoscaleInterval != defaults.autoscaleInterval || scaleOutCooldown != defaults.scaleOutCooldown
                || scaleInCooldown != defaults.scaleInCooldown {
                throw ValidationError("--min-workers, --autoscale-target, --autoscale-interval and the cool-downs need --autoscale")
            }
            return
        }
        guard (1...maxWorkers).contains(minWorkers) else { throw ValidationError("--min-workers must be 1...--max-workers (\(maxWorkers))") }
        guard workers >= minWorkers else { throw ValidationError("--workers must be at least --min-workers (\(minWorkers))") }
        guard (5...95).contains(autoscaleTarget) else { throw ValidationError("--autoscale-target must be 5...95 (percent of one core)") }
        guard autoscaleInterval.seconds >= 0.1 else { throw ValidationError("--autoscale-interval must be at least 100ms") }
    }

    private static let defaults = try! AutoscaleOptions.parse([])

    /// The policy for the state machine; nil without --autoscale.
    var policy: AutoscalePolicy? {
        guard autoscale else { return nil }
        var policy = AutoscalePolicy(minWorkers: minWorkers, targetUtilization: Double(autoscaleTarget) / 100)
        policy.scaleOutCooldown = scaleOutCooldown.seconds
        policy.scaleInCooldown = scaleInCooldown.seconds
        return policy
    }
}
