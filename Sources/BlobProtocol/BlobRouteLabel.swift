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
            // /blobs/{user}/ lists, /blobs/{user}/{id} is a blob.
            let rest = UnsafeBufferPointer(rebasing: bytes[7...])
            guard let slash = rest.firstIndex(of: UInt8(ascii: "/")), slash > 0 else { self = .other; return }
            let tail = rest[(slash + 1)...]
            if tail.isEmpty { self = .list } else if tail.contains(UInt8(ascii: "/")) { self = .other } else { self = .blob }
        } else if Self.hasPrefix(bytes, "/stream/") {
            self = bytes.count > 8 && !bytes[8...].contains(UInt8(ascii: "/")) ? .stream : .other
        } else if Self.equals(bytes, "/healthcheck") {
            self = .healthcheck
        } else if Self.equals(bytes, "/metrics") {
            self = .metrics
        } else {
            self = .other
        }
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
