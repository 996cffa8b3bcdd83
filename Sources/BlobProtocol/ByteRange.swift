// Conditional: scripts/fuzz.sh compiles HTTP1 and this module as one.
#if canImport(HTTP1)
import HTTP1
#endif

/// A `Range: bytes=...` header applied to a blob of known size (RFC 9110
/// 14.1.2), single ranges only: what a client asks and what we answer.
public enum ByteRange: Equatable, Sendable {
    /// No usable range: serve the whole blob (200). Used for several ranges,
    /// which RFC 9110 lets a server ignore.
    case full
    /// Serve `start...end` (206), end inclusive.
    case partial(start: Int, end: Int)
    /// Malformed or outside the blob: 416 with `Content-Range: bytes */SIZE`.
    case unsatisfiable

    public static func parse(_ header: String, size: Int) -> ByteRange {
        let text = header.trimmingHTTPWhitespace()
        guard text.utf8.count >= 6, text.prefix(6).lowercased() == "bytes=" else { return .unsatisfiable }  // the unit is case-insensitive
        let spec = text.dropFirst(6).trimmingHTTPWhitespace()
        if spec.contains(",") { return .full }
        guard let dash = spec.firstIndex(of: "-") else { return .unsatisfiable }
        let first = spec[..<dash], last = spec[spec.index(after: dash)...]
        guard first.allSatisfy(\.isASCIIDigit), last.allSatisfy(\.isASCIIDigit), first.count <= 18, last.count <= 18 else {
            return .unsatisfiable
        }
        switch (Int(first), Int(last)) {
        case (let start?, let end?):
            guard start <= end, start < size else { return .unsatisfiable }
            return .partial(start: start, end: min(end, size - 1))
        case (let start?, nil):
            guard last.isEmpty, start < size else { return .unsatisfiable }
            return .partial(start: start, end: size - 1)
        case (nil, let suffix?):
            guard first.isEmpty, suffix > 0, size > 0 else { return .unsatisfiable }
            return .partial(start: max(0, size - suffix), end: size - 1)
        default:
            return .unsatisfiable
        }
    }
}

private extension Character {
    var isASCIIDigit: Bool { isASCII && isNumber }
}
