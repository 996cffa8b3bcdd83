/// A request method. The common ones are cases so that routing compares
/// integers, not strings.
public enum HTTPMethod: Equatable, Hashable, Sendable, CustomStringConvertible {
    case GET, HEAD, PUT, POST, DELETE, OPTIONS, PATCH, TRACE, CONNECT
    case other(String)

    init(bytes: UnsafeRawBufferPointer) {
        switch bytes.count {
        case 3:
            if bytes.elementsEqual("GET".utf8) { self = .GET; return }
            if bytes.elementsEqual("PUT".utf8) { self = .PUT; return }
        case 4:
            if bytes.elementsEqual("POST".utf8) { self = .POST; return }
            if bytes.elementsEqual("HEAD".utf8) { self = .HEAD; return }
        case 6:
            if bytes.elementsEqual("DELETE".utf8) { self = .DELETE; return }
        case 7:
            if bytes.elementsEqual("OPTIONS".utf8) { self = .OPTIONS; return }
            if bytes.elementsEqual("CONNECT".utf8) { self = .CONNECT; return }
        case 5:
            if bytes.elementsEqual("PATCH".utf8) { self = .PATCH; return }
            if bytes.elementsEqual("TRACE".utf8) { self = .TRACE; return }
        default: break
        }
        self = .other(String(decoding: bytes, as: UTF8.self))
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
