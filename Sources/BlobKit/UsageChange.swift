/// A change to one user's published bytes in progress: the ledger is
/// locked (`LOCK_EX`) and says `pending` (synced with --fsync) while the
/// store links or unlinks the blob, and `settle` writes the new total and
/// unlocks. Every worker's commits and DELETEs of the user queue on this
/// lock, so each sees the others' totals and the quota is crossed by one
/// blob at most. A worker that dies before `settle` leaves `pending`: the
/// next one to lock walks the user's tree once and writes the truth.
final class UsageChange {
    private let ledger: UsageLedger
    /// The user's published bytes before the change.
    let used: Int
    /// Bytes the change adds (a PUT) or removes (negative: a DELETE).
    let delta: Int

    init(ledger: UsageLedger, used: Int, delta: Int) {
        self.ledger = ledger
        self.used = used
        self.delta = delta
    }

    /// Whether the link or unlink the change was for happened.
    enum Outcome {
        case applied, notApplied
        /// Not known (a close failed after a link): the marker stays, so
        /// the next reader walks the tree.
        case unknown
    }

    /// Writes the new total and unlocks. Not synced: if it is lost, the
    /// synced `pending` before it makes the next reader walk again. A total
    /// that would go below zero means the ledger was wrong: `pending` is
    /// left, for the same walk. A failed write is ignored for the same
    /// reason (the marker stays).
    func settle(_ outcome: Outcome) {
        let total: Int? = switch outcome {
        case .applied: used + delta
        case .notApplied: used
        case .unknown: nil
        }
        if let total, total >= 0 { try? ledger.write(UsageRecord(used: total, state: .settled)) }
        ledger.close()
    }
}
