import EventCore

/// Runs an open loop on one loop (wrk2's model): actions are due at the
/// times of the plan's schedule whatever the answers; a due action goes to
/// an idle user (at most `concurrency`, one kept-alive connection each) or
/// waits in the bounded backlog, and its latency counts from when it was
/// due, so a stalled server shows in the percentiles instead of slowing
/// the client down. Writes the timeline's lines as each second ends.
public final class OpenLoopRunner: ActionSource {
    private let base: EventBase
    let plan: LoadPlan
    private let schedule: RateSchedule
    private var report: LoadReport
    private var totals = OpenLoopCounts()
    private var timeline = Timeline()
    private let writeLines: ([String]) -> Void
    /// `--latencies`: one line per answered action, handed out with the timeline's.
    private let writeLatencies: (([String]) -> Void)?
    private var latencyLines: [String] = []
    private var ids: BlobIDs
    private let payload: BlobPayload
    private var backlog: Backlog
    /// The index of the next action the schedule has not yet released.
    private var nextAction = 0
    private var start: UInt64 = 0
    private var users: [VirtualUser] = []
    private var idle: [VirtualUser] = []
    /// Wakes the loop when the next action is due.
    private var ticker: LoopEvent?
    /// Ends requests that passed the timeout and writes finished seconds.
    private var watchdog: LoopEvent?

    /// `timeline` receives the timeline's lines (its header first), a few at
    /// a time; `latencies`, if given, a line per answered action: the second
    /// it was due in and its latency from then in milliseconds (what a
    /// percentile over any stretch of seconds is computed from).
    public init(base: EventBase, plan: LoadPlan, timeline: @escaping ([String]) -> Void = { _ in },
                latencies: (([String]) -> Void)? = nil) {
        precondition(plan.schedule != nil, "an open loop needs a schedule")
        self.base = base
        self.plan = plan
        schedule = plan.schedule!
        report = LoadReport(plan: plan)
        writeLines = timeline
        writeLatencies = latencies
        ids = BlobIDs(style: plan.ids)
        payload = BlobPayload(size: plan.size)
        backlog = Backlog(capacity: max(plan.backlog, 1))
    }

    /// Runs until every scheduled action has ended; returns the report.
    public func run() -> LoadReport {
        writeLines([Timeline.header])
        start = Clock.microseconds()
        let cpuBegin = Clock.processCPUMicroseconds()
        users = (0..<max(1, plan.concurrency)).map { _ in VirtualUser(runner: self, base: base) }
        idle = users
        ticker = LoopEvent.timer(base: base, repeating: false) { [unowned self] in self.tick() }
        watchdog = LoopEvent.timer(base: base, repeating: true) { [unowned self] in self.watch() }
        watchdog?.add(after: 0.1)
        tick()
        if !isFinished { base.run() }
        ticker?.close()
        watchdog?.close()
        users.forEach { $0.close() }
        let elapsed = Clock.microseconds() - start
        writeLines(timeline.rows(before: Int(elapsed / 1_000_000) + 1))
        flushLatencies()
        report.wallMicros = elapsed
        report.cpuMicros = Clock.processCPUMicroseconds() - cpuBegin
        report.actions = totals.sent
        report.openLoop = totals
        return report
    }

    private var isFinished: Bool { nextAction == schedule.count && backlog.isEmpty && idle.count == users.count }

    /// Releases every action due by now (catching up after a late wake-up),
    /// hands them to idle users, and sleeps until the next one is due.
    private func tick() {
        let now = Clock.microseconds() - start
        while nextAction < schedule.count {
            let due = schedule.dueMicros(nextAction)
            guard due <= now else {
                ticker?.add(after: Double(due - now) / 1_000_000)
                break
            }
            release(due: due)
            nextAction += 1
        }
        while !backlog.isEmpty, let user = idle.popLast() { user.startNextAction() }
        if isFinished { base.stop() }
    }

    private func release(due: UInt64) {
        totals.countOffered()
        timeline.countOffered(atMicros: due)
        guard !backlog.push(due) else { return }
        totals.countEnd(.dropped, latencyMicros: 0)
        timeline.countEnd(.dropped, atMicros: due, latencyMicros: 0)
        // In the request report too, so its failures and errors say so.
        report.record(plan.action.steps[0], micros: 0, outcome: .failed("dropped"))
    }

    private func watch() {
        let now = Clock.microseconds()
        let limit = UInt64(plan.timeout * 1_000_000)
        for user in users { user.checkTimeout(now: now, limit: limit) }
        let lines = timeline.rows(before: Int((now - start) / 1_000_000))
        if !lines.isEmpty { writeLines(lines) }
        flushLatencies()
    }

    private func flushLatencies() {
        guard let writeLatencies, !latencyLines.isEmpty else { return }
        writeLatencies(latencyLines)
        latencyLines.removeAll(keepingCapacity: true)
    }

    func takeAction() -> TakenAction? {
        guard let due = backlog.pop() else { return nil }
        totals.countSent()
        timeline.countSent(atMicros: Clock.microseconds() - start)
        return TakenAction(blobID: ids.next(), due: start + due)
    }

    func userIdle(_ user: VirtualUser) {
        idle.append(user)
        if isFinished { base.stop() }
    }

    func actionEnded(_ result: ActionResult, due: UInt64?) {
        let now = Clock.microseconds()
        let latency = now - (due ?? now)
        totals.countEnd(result, latencyMicros: latency)
        timeline.countEnd(result, atMicros: now - start, latencyMicros: latency)
        if writeLatencies != nil, result.isAnswered, let due {
            latencyLines.append("\((due - start) / 1_000_000) \(Self.milliseconds(latency))")
        }
    }

    /// Microseconds as milliseconds with three decimals, without Foundation.
    static func milliseconds(_ micros: UInt64) -> String {
        let fraction = String(micros % 1000)
        return "\(micros / 1000)." + String(repeating: "0", count: 3 - fraction.count) + fraction
    }

    func record(_ kind: RequestKind, micros: UInt64, outcome: LoadConnection.Outcome) {
        report.record(kind, micros: micros, outcome: outcome)
    }

    func blob(for id: String) -> [UInt8] {
        payload.bytes(for: id)
    }
}
