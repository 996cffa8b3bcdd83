/// Where virtual users take their actions and send what happened: the
/// closed-loop `LoadRunner` (back to back until `amount`) or the
/// `OpenLoopRunner` (each when the schedule says it is due).
protocol ActionSource: AnyObject {
    var plan: LoadPlan { get }
    /// The next action, or nil when there is none for now.
    func takeAction() -> TakenAction?
    /// `user` found no action: it is done (closed loop) or waits to be given one (open loop).
    func userIdle(_ user: VirtualUser)
    func record(_ kind: RequestKind, micros: UInt64, outcome: LoadConnection.Outcome)
    /// An action's last request ended (or it failed) with `result`.
    func actionEnded(_ result: ActionResult, due: UInt64?)
    /// The bytes of blob `id`.
    func blob(for id: String) -> [UInt8]
}

/// One action handed to a user: its blob id and, in an open loop, when it
/// was due (`Clock` microseconds), which its first request's latency counts from.
struct TakenAction {
    let blobID: String
    let due: UInt64?
}
