import ArgumentParser
import CommandLineSupport
import LoadKit

/// `--phases "200:10s,1500:20s,200:20s"`: rates (actions per second, 0 for
/// a pause) each held for a duration, one after another; parsed here so the
/// durations are read as every other flag's (`TimeSpan`).
struct PhasesArgument: ExpressibleByArgument {
    let schedule: RateSchedule

    init?(argument: String) {
        var phases: [RateSchedule.Phase] = []
        for item in argument.split(separator: ",", omittingEmptySubsequences: false) {
            let parts = item.split(separator: ":", omittingEmptySubsequences: false)
            guard parts.count == 2, let rate = Double(parts[0].trimmingCharacters(in: .whitespaces)), rate.isFinite,
                  (0...BlobLoadCommand.maximumRate).contains(rate),
                  let span = TimeSpan(argument: String(parts[1])), span.seconds > 0 else { return nil }
            phases.append(RateSchedule.Phase(rate: rate, seconds: span.seconds))
        }
        schedule = RateSchedule(phases: phases)
    }
}
