/// Where a request path points, before any name is validated: the router
/// maps the path to one of these and the handlers validate the names.
public enum BlobRoute: Equatable, Sendable {
    case baseline
    case healthcheck
    /// `/blobs/{user}/`: the listing.
    case list(user: String)
    /// `/blobs/{user}/{id}`.
    case blob(user: String, id: String)
    /// `/stream/{user}`.
    case stream(user: String)
    case notFound
    /// A segment was badly percent-encoded.
    case badPath

    /// Methods each route answers, for `405` and its `Allow` header.
    public var allowed: [String] {
        switch self {
        case .baseline, .healthcheck, .list: return ["GET", "HEAD"]
        case .blob: return ["GET", "HEAD", "PUT", "POST", "DELETE"]
        case .stream: return ["POST"]
        case .notFound, .badPath: return []
        }
    }

    public init(path: Substring) {
        if path == "/" { self = .baseline; return }
        if path == "/healthcheck" { self = .healthcheck; return }
        // Split on the "/" bytes (ASCII, so their indices are valid String
        // indices): a byte scan instead of Substring's per-Character split,
        // which was a third of a blob GET's instructions.
        let bytes = path.utf8
        guard bytes.first == UInt8(ascii: "/") else { self = .notFound; return }
        var decoded: [String] = []
        var start = bytes.index(after: bytes.startIndex)
        while true {
            let end = bytes[start...].firstIndex(of: UInt8(ascii: "/")) ?? bytes.endIndex
            guard let value = PercentDecoding.decode(path[start..<end]) else { self = .badPath; return }
            decoded.append(value)
            guard end < bytes.endIndex else { break }
            start = bytes.index(after: end)
        }
        if decoded.contains(where: { $0 == "." || $0 == ".." }) { self = .badPath; return }
        switch (decoded.first, decoded.count) {
        case ("blobs", 2): self = .list(user: decoded[1])
        case ("blobs", 3): self = decoded[2].isEmpty ? .list(user: decoded[1]) : .blob(user: decoded[1], id: decoded[2])
        case ("stream", 2): self = .stream(user: decoded[1])
        case ("stream", 3) where decoded[2].isEmpty: self = .stream(user: decoded[1])  // Soledad's route: /stream/{uuid}/
        default: self = .notFound
        }
    }
}
