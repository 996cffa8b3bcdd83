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

/// One kind of request, reported on its own line.
public enum RequestKind: String, CaseIterable, Sendable {
    case baseline = "GET /"
    case list = "GET list"
    case put = "PUT blob"
    case get = "GET blob"
    case flag = "POST flags"
    case delete = "DELETE blob"

    /// The one status API.md promises for success.
    public var expectedStatus: Int { 200 }
}

/// Blob ids unique across runs and processes: a random run prefix and a
/// counter, within `^[A-Za-z0-9_-]+$`.
public struct BlobIDs: Sendable {
    public let prefix: String
    private var counter = 0

    public init(prefix: String = BlobIDs.randomPrefix()) {
        self.prefix = prefix
    }

    public mutating func next() -> String {
        counter += 1
        return "\(prefix)-\(counter)"
    }

    public static func randomPrefix() -> String {
        let alphabet = Array("abcdefghijklmnopqrstuvwxyz0123456789")
        return "L" + String((0..<10).map { _ in alphabet.randomElement()! })
    }
}
