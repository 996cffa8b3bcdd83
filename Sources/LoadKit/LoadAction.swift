/// The study's six actions, each one or two requests on a unique blob, and
/// `count` (`only_count`), which the growth study adds.
public enum LoadAction: String, CaseIterable, Sendable {
    case baseline, list, count, put, get, flag, delete

    /// The requests one action makes, in order.
    public var steps: [RequestKind] {
        switch self {
        case .baseline: return [.baseline]
        case .list: return [.list]
        case .count: return [.count]
        case .put: return [.put]
        case .get: return [.put, .get]
        case .flag: return [.put, .flag]
        case .delete: return [.put, .delete]
        }
    }

    /// The requests with `--clean-up`: an action that leaves a blob behind
    /// deletes it last, so the store keeps the size it had.
    public func steps(cleaningUp: Bool) -> [RequestKind] {
        let plain = steps
        guard cleaningUp, plain.contains(.put), !plain.contains(.delete) else { return plain }
        return plain + [.cleanup]
    }
}
