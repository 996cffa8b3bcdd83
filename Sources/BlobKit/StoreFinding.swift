/// One thing a store check reports: a file that is debris of a crash or
/// not in Soledad's layout, and what `--repair` did about it.
public struct StoreFinding: Equatable, Sendable {
    /// What is wrong, in the words of the report's lines.
    public enum Kind: String, CaseIterable, Sendable {
        /// A temporary blob or flags file, or a start-up probe, left behind.
        case temporary
        /// `{id}` and `{id}.deleted` both exist (a crash between the two steps of a PUT or DELETE).
        case tombstoneWithBlob = "tombstone-with-blob"
        /// `{id}.flags` without `{id}`.
        case flagsWithoutBlob = "flags-without-blob"
        /// A user's quota ledger (`{user}/.usage`) that is pending,
        /// unreadable or disagrees with the blobs; repair empties it.
        case staleUsage = "stale-usage"
        /// Anything else that is not in the layout; never touched.
        case unknown
    }

    /// What became of the finding.
    public enum Outcome: Equatable, Sendable {
        /// Reported only (no `--repair`).
        case found
        case removed
        /// A usage ledger emptied: the next quota check walks the user.
        case emptied
        /// Left alone on purpose, and why.
        case kept(String)
        /// Removing failed, and why.
        case failed(String)
    }

    public let kind: Kind
    /// The file's path relative to the store's root.
    public let path: String
    /// Why it was classed so (age, writer, reason it is unknown).
    public let detail: String
    public var outcome: Outcome

    /// One line of the report: `kind path (detail): outcome`.
    public var line: String {
        let state: String
        switch outcome {
        case .found: state = "found"
        case .removed: state = "removed"
        case .emptied: state = "emptied (the next quota check walks the user)"
        case .kept(let why): state = "kept, \(why)"
        case .failed(let why): state = "remove failed: \(why)"
        }
        return "\(kind.rawValue) \(path) (\(detail)): \(state)"
    }
}
