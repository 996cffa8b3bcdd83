#if canImport(Glibc)
import Glibc
#endif

/// A request's route as its metrics label: told from the path's shape
/// alone (no decoding, no validation, no allocation), so counting it costs
/// a few compares. A path the router would refuse still gets the label of
/// its shape; its status tells the rest.
public enum BlobRouteLabel: Int, CaseIterable, Sendable {
    case baseline, healthcheck, metrics, list, blob, stream, other

    public var name: String {
        switch self {
        case .baseline: return "baseline"
        case .healthcheck: return "healthcheck"
        case .metrics: return "metrics"
        case .list: return "list"
        case .blob: return "blob"
        case .stream: return "stream"
        case .other: return "other"
        }
    }

    /// The label of a whole target: its path, up to any `?`.
    public init(target: UnsafeRawBufferPointer) {
        guard let base = target.baseAddress, let mark = memchr(base, Int32(UInt8(ascii: "?")), target.count) else {
            self.init(path: target)
            return
        }
        self.init(path: UnsafeRawBufferPointer(start: base, count: UnsafeRawPointer(mark) - base))
    }

    public init(path: UnsafeRawBufferPointer) {
        if path.count == 1 && path[0] == UInt8(ascii: "/") {
            self = .baseline
        } else if Self.hasPrefix(path, "/blobs/") {
            // As the router: /blobs/{user} and /blobs/{user}/ list, /blobs/{user}/{id} is a blob.
            switch Self.segments(after: 7, in: path) {
            case .one, .oneWithSlash: self = .list
            case .two: self = .blob
            case .more: self = .other
            }
        } else if Self.hasPrefix(path, "/stream/") {
            // /stream/{user}, and Soledad's /stream/{user}/.
            switch Self.segments(after: 8, in: path) {
            case .one, .oneWithSlash: self = .stream
            case .two, .more: self = .other
            }
        } else if path.count == 12 && Self.hasPrefix(path, "/healthcheck") {
            self = .healthcheck
        } else if path.count == 8 && Self.hasPrefix(path, "/metrics") {
            self = .metrics
        } else {
            self = .other
        }
    }

    private enum Segments { case one, oneWithSlash, two, more }

    /// How many segments follow the first `start` bytes (memchr: this runs
    /// on every request when metrics are on).
    private static func segments(after start: Int, in path: UnsafeRawBufferPointer) -> Segments {
        guard let base = path.baseAddress, let slash = slash(in: base + start, count: path.count - start) else { return .one }
        let afterSlash = slash + 1, end = base + path.count
        if afterSlash == end { return .oneWithSlash }
        return self.slash(in: afterSlash, count: end - afterSlash) == nil ? .two : .more
    }

    private static func slash(in start: UnsafeRawPointer, count: Int) -> UnsafeRawPointer? {
        guard count > 0, let found = memchr(start, Int32(UInt8(ascii: "/")), count) else { return nil }
        return UnsafeRawPointer(found)
    }

    private static func hasPrefix(_ path: UnsafeRawBufferPointer, _ prefix: StaticString) -> Bool {
        guard let base = path.baseAddress, path.count >= prefix.utf8CodeUnitCount else { return false }
        return memcmp(base, prefix.utf8Start, prefix.utf8CodeUnitCount) == 0
    }
}
