// Conditional: scripts/fuzz.sh compiles HTTP1 and this module as one.
#if canImport(HTTP1)
import HTTP1
#endif
#if canImport(Glibc)
import Glibc
#endif

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
        [HTTPMethod.GET, .HEAD, .PUT, .POST, .DELETE].filter(allows).map(\.description)
    }

    /// Whether the route answers `method` (the one list of them: `allowed`
    /// is made from it), without building an array on every request.
    public func allows(_ method: HTTPMethod) -> Bool {
        switch (self, method) {
        case (.baseline, .GET), (.baseline, .HEAD), (.healthcheck, .GET), (.healthcheck, .HEAD),
             (.list, .GET), (.list, .HEAD), (.stream, .POST):
            return true
        case (.blob, .GET), (.blob, .HEAD), (.blob, .PUT), (.blob, .POST), (.blob, .DELETE):
            return true
        default:
            return false
        }
    }

    public init(path: Substring) {
        var path = path
        self = path.withUTF8 { Self.route($0) }
    }

    /// The route of a path's raw bytes (RequestHead.withPathAndQueryBytes).
    public init(path: UnsafeRawBufferPointer) {
        self = Self.route(path.assumingMemoryBound(to: UInt8.self))
    }

    /// Splits on the "/" bytes and decodes a segment only when it holds a
    /// `%`: the router runs for every request, and String's per-Character
    /// splitting was a seventh of a blob GET's instructions. Any segment
    /// that is badly encoded, or `.`/`..` once decoded, makes `badPath`.
    private static func route(_ path: UnsafeBufferPointer<UInt8>) -> BlobRoute {
        if Segment.raw(path).equals("/") { return .baseline }
        if Segment.raw(path).equals("/healthcheck") { return .healthcheck }
        guard path.first == UInt8(ascii: "/") else { return .notFound }
        var first = Segment.raw(UnsafeBufferPointer(start: nil, count: 0))
        var second = "", third = ""
        var count = 0
        var start = 1
        while true {
            var end = start
            while end < path.count && path[end] != UInt8(ascii: "/") { end += 1 }
            guard let segment = Segment(UnsafeBufferPointer(rebasing: path[start..<end])) else { return .badPath }
            if segment.equals(".") || segment.equals("..") { return .badPath }
            switch count {
            case 0: first = segment
            case 1: second = segment.string
            case 2: third = segment.string
            default: break
            }
            count += 1
            guard end < path.count else { break }
            start = end + 1
        }
        switch count {
        case 2 where first.equals("blobs"): return .list(user: second)
        case 3 where first.equals("blobs"): return third.isEmpty ? .list(user: second) : .blob(user: second, id: third)
        case 2 where first.equals("stream"): return .stream(user: second)
        case 3 where first.equals("stream") && third.isEmpty: return .stream(user: second)  // Soledad's route: /stream/{uuid}/
        default: return .notFound
        }
    }

    /// One path segment: its bytes as sent, or decoded when it held escapes.
    private enum Segment {
        case raw(UnsafeBufferPointer<UInt8>)
        case decoded(String)

        /// nil when an escape is malformed or decodes to invalid UTF-8.
        init?(_ bytes: UnsafeBufferPointer<UInt8>) {
            guard bytes.contains(UInt8(ascii: "%")) else { self = .raw(bytes); return }
            guard let value = PercentDecoding.decode(String(decoding: bytes, as: UTF8.self)) else { return nil }
            self = .decoded(value)
        }

        var string: String {
            switch self {
            case .raw(let bytes): return String(decoding: bytes, as: UTF8.self)
            case .decoded(let value): return value
            }
        }

        /// Length first, then memcmp: elementsEqual cost ~40 instructions
        /// a byte, and the router compares up to five times a request.
        func equals(_ text: StaticString) -> Bool {
            switch self {
            case .raw(let bytes):
                return Self.same(UnsafeRawBufferPointer(bytes), text)
            case .decoded(var value):
                return value.withUTF8 { Self.same(UnsafeRawBufferPointer($0), text) }
            }
        }

        private static func same(_ bytes: UnsafeRawBufferPointer, _ text: StaticString) -> Bool {
            guard bytes.count == text.utf8CodeUnitCount else { return false }
            guard let base = bytes.baseAddress else { return bytes.isEmpty }
            return memcmp(base, text.utf8Start, bytes.count) == 0
        }
    }
}
