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

    public init(path: UnsafeRawBufferPointer) {
        let bytes = path.assumingMemoryBound(to: UInt8.self)
        if bytes.count == 1 && bytes[0] == UInt8(ascii: "/") {
            self = .baseline
        } else if Self.hasPrefix(bytes, "/blobs/") {
            // As the router: /blobs/{user} and /blobs/{user}/ list, /blobs/{user}/{id} is a blob.
            switch Self.segmentsAfter(7, in: bytes) {
            case .one, .oneWithSlash: self = .list
            case .two: self = .blob
            case .more: self = .other
            }
        } else if Self.hasPrefix(bytes, "/stream/") {
            // /stream/{user}, and Soledad's /stream/{user}/.
            switch Self.segmentsAfter(8, in: bytes) {
            case .one, .oneWithSlash: self = .stream
            case .two, .more: self = .other
            }
        } else if Self.equals(bytes, "/healthcheck") {
            self = .healthcheck
        } else if Self.equals(bytes, "/metrics") {
            self = .metrics
        } else {
            self = .other
        }
    }

    private enum Segments { case one, oneWithSlash, two, more }

    /// How many segments follow the prefix of `start` bytes.
    private static func segmentsAfter(_ start: Int, in bytes: UnsafeBufferPointer<UInt8>) -> Segments {
        let rest = UnsafeBufferPointer(rebasing: bytes[start...])
        guard let slash = rest.firstIndex(of: UInt8(ascii: "/")) else { return .one }
        let tail = rest[(slash + 1)...]
        if tail.isEmpty { return .oneWithSlash }
        return tail.contains(UInt8(ascii: "/")) ? .more : .two
    }

    private static func hasPrefix(_ bytes: UnsafeBufferPointer<UInt8>, _ prefix: StaticString) -> Bool {
        guard bytes.count >= prefix.utf8CodeUnitCount else { return false }
        for i in 0..<prefix.utf8CodeUnitCount where bytes[i] != prefix.utf8Start[i] { return false }
        return true
    }

    private static func equals(_ bytes: UnsafeBufferPointer<UInt8>, _ text: StaticString) -> Bool {
        bytes.count == text.utf8CodeUnitCount && hasPrefix(bytes, text)
    }
}
