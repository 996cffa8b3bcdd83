/// How one open-loop action ended, for its second of the timeline: every
/// request answered 200 (and verified), answered otherwise, no answer at
/// all (refused, reset, timeout), or never sent because the backlog was full.
enum ActionResult: Sendable, Equatable {
    case ok
    case notOK
    case failed
    case dropped

    /// Worse wins: an action is as good as its worst request.
    func worsened(by other: ActionResult) -> ActionResult {
        switch (self, other) {
        case (.dropped, _), (_, .dropped): return .dropped
        case (.failed, _), (_, .failed): return .failed
        case (.notOK, _), (_, .notOK): return .notOK
        default: return .ok
        }
    }

    var isAnswered: Bool { self == .ok || self == .notOK }
}
