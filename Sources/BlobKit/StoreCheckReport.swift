/// What a store check found: one line per finding, then a count summary.
public struct StoreCheckReport: Sendable {
    public let root: String
    public let repaired: Bool
    /// Live blobs seen.
    public let blobs: Int
    public let findings: [StoreFinding]

    /// Clean when nothing was found, or everything found was removed.
    public var isClean: Bool { findings.allSatisfy { $0.outcome == .removed || $0.outcome == .emptied } }

    public func count(_ kind: StoreFinding.Kind) -> Int { findings.filter { $0.kind == kind }.count }

    public func removed(_ kind: StoreFinding.Kind) -> Int {
        findings.filter { $0.kind == kind && ($0.outcome == .removed || $0.outcome == .emptied) }.count
    }

    /// `store check ROOT: N blobs, temporary 2 (2 removed), ...: clean`.
    public var summary: String {
        let counts = StoreFinding.Kind.allCases.map { kind in
            repaired ? "\(kind.rawValue) \(count(kind)) (\(removed(kind)) removed)" : "\(kind.rawValue) \(count(kind))"
        }
        let verdict = findings.isEmpty ? "clean" : isClean ? "clean after repair" : "not clean"
        return "store check \(root): \(blobs) blobs, \(counts.joined(separator: ", ")): \(verdict)"
    }

    /// Every line the check prints: the findings, then the summary.
    public var lines: [String] { findings.map(\.line) + [summary] }
}
