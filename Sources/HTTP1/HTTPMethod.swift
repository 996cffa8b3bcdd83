#if canImport(Glibc)
import Glibc
#endif

/// A request method. The common ones are cases so that routing compares
/// integers, not strings.
public enum HTTPMethod: Equatable, Hashable, Sendable, CustomStringConvertible {
    case GET, HEAD, PUT, POST, DELETE, OPTIONS, PATCH, TRACE, CONNECT
    case other(String)

    init(bytes: UnsafeRawBufferPointer) {
        @inline(__always) func equals(_ text: StaticString) -> Bool {
            text.utf8CodeUnitCount == bytes.count && memcmp(text.utf8Start, bytes.baseAddress!, bytes.count) == 0
        }
        switch bytes.count {
        case 3 where equals("GET"): self = .GET
        case 3 where equals("PUT"): self = .PUT
        case 4 where equals("POST"): self = .POST
        case 4 where equals("HEAD"): self = .HEAD
        case 6 where equals("DELETE"): self = .DELETE
        case 7 where equals("OPTIONS"): self = .OPTIONS
        case 7 where equals("CONNECT"): self = .CONNECT
        case 5 where equals("PATCH"): self = .PATCH
        case 5 where equals("TRACE"): self = .TRACE
        default: self = .other(String(decoding: bytes, as: UTF8.self))
        }
    }

    public var description: String {
        switch self {
        case .GET: return "GET"
        case .HEAD: return "HEAD"
        case .PUT: return "PUT"
        case .POST: return "POST"
        case .DELETE: return "DELETE"
        case .OPTIONS: return "OPTIONS"
        case .PATCH: return "PATCH"
        case .TRACE: return "TRACE"
        case .CONNECT: return "CONNECT"
        case .other(let name): return name
        }
    }
}
