import EventCore
#if canImport(Glibc)
import Glibc
#endif

/// Runs a plan on one loop: `concurrency` virtual users, each doing actions
/// back to back on its own connection (or a new one per request) until
/// `amount` actions are done; records every request in the report.
public final class LoadRunner: ActionSource {
    private let base: EventBase
    let plan: LoadPlan
    private(set) var report: LoadReport
    private var ids: BlobIDs
    private var started = 0
    private var users: [VirtualUser] = []
    private var active = 0
    private var watchdog: LoopEvent?
    private var deadline: UInt64?
    private let payload: BlobPayload

    public init(base: EventBase, plan: LoadPlan) {
        self.base = base
        self.plan = plan
        report = LoadReport(plan: plan)
        payload = BlobPayload(size: plan.size)
        ids = BlobIDs(style: plan.ids)
    }

    /// Runs to the end; returns the report.
    public func run() -> LoadReport {
        let begin = Clock.microseconds()
        if let duration = plan.duration { deadline = begin + UInt64(duration * 1_000_000) }
        let cpuBegin = Clock.processCPUMicroseconds()
        users = (0..<max(1, min(plan.concurrency, plan.amount))).map { _ in VirtualUser(runner: self, base: base) }
        active = users.count
        watchdog = LoopEvent.timer(base: base, repeating: true) { [unowned self] in
            let now = Clock.microseconds()
            for user in self.users { user.checkTimeout(now: now, limit: UInt64(self.plan.timeout * 1_000_000)) }
        }
        watchdog?.add(after: 0.1)
        if plan.amount > 0 { users.forEach { $0.startNextAction() } } else { active = 0 }
        if active > 0 { base.run() }
        watchdog?.close()
        users.forEach { $0.close() }
        report.actions = started
        report.wallMicros = Clock.microseconds() - begin
        report.cpuMicros = Clock.processCPUMicroseconds() - cpuBegin
        return report
    }

    /// The next action's blob id, or nil when `amount` are under way or
    /// the plan's duration has passed.
    func takeAction() -> TakenAction? {
        guard started < plan.amount else { return nil }
        if let deadline, Clock.microseconds() >= deadline { return nil }
        started += 1
        return TakenAction(blobID: ids.next(), due: nil)
    }

    /// In a closed loop a user without an action is done.
    func userIdle(_ user: VirtualUser) {
        active -= 1
        if active == 0 { base.stop() }
    }

    /// A closed loop reports requests only.
    func actionEnded(_ result: ActionResult, due: UInt64?) {}

    func record(_ kind: RequestKind, micros: UInt64, outcome: LoadConnection.Outcome) {
        report.record(kind, micros: micros, outcome: outcome)
    }

    /// The bytes of blob `id`.
    func blob(for id: String) -> [UInt8] {
        payload.bytes(for: id)
    }
}
