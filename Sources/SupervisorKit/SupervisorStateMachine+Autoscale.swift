/// `--autoscale`: each CPU sample goes to the policy; a decision moves the
/// target, and the convergence pass that follows starts workers or drains
/// and stops them, as SIGTTIN/SIGTTOU would.
extension SupervisorStateMachine {
    mutating func autoscale(cpu: [Int32: Double], now: Double) -> [SupervisorAction] {
        guard phase == .running, var autoscaler else { return [] }
        let serving = Set(liveWorkers.filter(\.isRunning).compactMap(\.pid))
        let decision = autoscaler.sample(cpu: cpu.filter { serving.contains($0.key) }, target: target, settled: isSettled, now: now)
        self.autoscaler = autoscaler
        guard case .scale(let wanted, let reason) = decision, wanted != target else { return [] }
        let direction: ScaleDirection = wanted > target ? .out : .in
        let line = "autoscale: workers \(target) -> \(wanted) (\(reason))"
        tallies.scaled(direction)
        target = wanted
        return [.log(line)]
    }

    /// Every worker meant to serve does, and none is leaving or being
    /// replaced: the CPU figures are load, not start-up or drain.
    var isSettled: Bool {
        let live = liveWorkers
        return pendingRestarts.isEmpty && replacement == nil && live.count == target
            && live.allSatisfy(\.isRunning) && !workers.contains(where: \.retiring)
    }
}
