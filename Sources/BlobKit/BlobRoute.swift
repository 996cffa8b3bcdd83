/// Where a request path points, before any name is validated: the router
/// maps the path to one of these and the handlers validate the names.
enum BlobRoute: Equatable {
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
    var allowed: [String] {
        switch self {
        case .baseline, .healthcheck, .list: return ["GET", "HEAD"]
        case .blob: return ["GET", "HEAD", "PUT", "POST", "DELETE"]
        case .stream: return ["POST"]
        case .notFound, .badPath: return []
        }
    }

    init(path: Substring) {
        if path == "/" { self = .baseline; return }
        if path == "/healthcheck" { self = .healthcheck; return }
        var segments = path.split(separator: "/", omittingEmptySubsequences: false)
        guard segments.first == "" else { self = .notFound; return }
        segments.removeFirst()
        var decoded: [String] = []
        for segment in segments {
            guard let value = PercentDecoding.decode(segment) else { self = .badPath; return }
            decoded.append(value)
        }
        if decoded.contains(where: { $0 == "." || $0 == ".." }) { self = .badPath; return }
        switch (decoded.first, decoded.count) {
        case ("blobs", 2): self = .list(user: decoded[1])
        case ("blobs", 3): self = decoded[2].isEmpty ? .list(user: decoded[1]) : .blob(user: decoded[1], id: decoded[2])
        case ("stream", 2): self = .stream(user: decoded[1])
        default: self = .notFound
        }
    }
}

/// `%XX` decoding of path segments and query parts (`+` is a space in
/// queries only).
enum PercentDecoding {
    static func decode<S: StringProtocol>(_ text: S, plusIsSpace: Bool = false) -> String? {
        guard text.contains("%") || (plusIsSpace && text.contains("+")) else { return String(text) }
        var bytes: [UInt8] = []
        var iterator = Array(text.utf8).makeIterator()
        while let byte = iterator.next() {
            if byte == UInt8(ascii: "%") {
                guard let high = iterator.next().flatMap(hex), let low = iterator.next().flatMap(hex) else { return nil }
                bytes.append(high << 4 | low)
            } else if plusIsSpace && byte == UInt8(ascii: "+") {
                bytes.append(0x20)
            } else {
                bytes.append(byte)
            }
        }
        return String(validating: bytes, as: UTF8.self)
    }

    private static func hex(_ byte: UInt8) -> UInt8? {
        switch byte {
        case 0x30...0x39: return byte - 0x30
        case 0x41...0x46: return byte - 0x41 + 10
        case 0x61...0x66: return byte - 0x61 + 10
        default: return nil
        }
    }
}

/// The query string's parameters, decoded; the first of a repeated name wins.
struct QueryParameters {
    private var values: [String: String] = [:]

    init(_ query: Substring?) {
        guard let query else { return }
        for pair in query.split(separator: "&") {
            let parts = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            guard let name = PercentDecoding.decode(parts[0], plusIsSpace: true) else { continue }
            let value = parts.count > 1 ? PercentDecoding.decode(parts[1], plusIsSpace: true) ?? "\u{0}" : ""
            if values[name] == nil { values[name] = value }
        }
    }

    subscript(name: String) -> String? { values[name] }

    /// API.md's flags: true when present with any value but `0`, `false`, `False` or empty.
    func flag(_ name: String) -> Bool {
        guard let value = values[name] else { return false }
        return !["", "0", "false", "False"].contains(value)
    }
}
