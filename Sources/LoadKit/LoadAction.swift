/// The study's six actions, each one or two requests on a unique blob.
public enum LoadAction: String, CaseIterable, Sendable {
    case baseline, list, put, get, flag, delete

    /// The requests one action makes, in order.
    public var steps: [RequestKind] {
        switch self {
        case .baseline: return [.baseline]
        case .list: return [.list]
        case .put: return [.put]
        case .get: return [.put, .get]
        case .flag: return [.put, .flag]
        case .delete: return [.put, .delete]
        }
    }
}
