import HTTP1
#if canImport(Glibc)
import Glibc
#endif

/// What a handler answers: a status, its own header fields, and a body the
/// server frames (`Content-Length`, `Date` and `Connection` are the server's).
public struct HTTPResponse: Sendable {
    public var status: Int
    public var headers: HTTPHeaders
    public var body: ResponseBody

    public init(status: Int, headers: HTTPHeaders = HTTPHeaders(), body: ResponseBody = .empty) {
        self.status = status
        self.headers = headers
        self.body = body
    }

    /// A one-line text answer, the form of every error this product sends.
    public static func text(_ status: Int, _ line: String) -> HTTPResponse {
        var headers = HTTPHeaders()
        headers.append(name: "Content-Type", value: "text/plain; charset=utf-8")
        return HTTPResponse(status: status, headers: headers, body: .bytes(Array((line + "\n").utf8)))
    }

    /// A JSON answer from bytes the caller already encoded.
    public static func json(_ status: Int, _ bytes: [UInt8]) -> HTTPResponse {
        var headers = HTTPHeaders()
        headers.append(name: "Content-Type", value: "application/json")
        return HTTPResponse(status: status, headers: headers, body: .bytes(bytes))
    }
}

/// A response body: nothing, bytes in memory, or a region of an open file
/// that the server sends with sendfile and then closes.
public enum ResponseBody: Sendable {
    case empty
    case bytes([UInt8])
    /// The server takes ownership of `descriptor` and closes it.
    case file(descriptor: Int32, offset: Int, length: Int)
    /// Several pieces back to back.
    case parts([ResponseBody])
    /// Pieces made one at a time as the client takes the answer, so a body
    /// of thousands of files holds only a few open at once.
    case produced(ResponseBodyProducer)

    /// The body's length, or nil when a producer does not know it up front
    /// (the server then sends it chunked, or until close to HTTP/1.0).
    public var length: Int? {
        switch self {
        case .empty: return 0
        case .bytes(let bytes): return bytes.count
        case .file(_, _, let length): return length
        case .parts(let parts):
            var total = 0
            for part in parts {
                guard let length = part.length else { return nil }
                total += length
            }
            return total
        case .produced(let producer): return producer.length
        }
    }

    /// Closes any descriptors, for an answer that will not be sent.
    public func discard() {
        switch self {
        case .file(let descriptor, _, _): _ = Glibc.close(descriptor)
        case .parts(let parts): parts.forEach { $0.discard() }
        case .produced(let producer): producer.discard()
        case .empty, .bytes: break
        }
    }
}

/// Makes a long body's pieces on demand: the connection asks for the next
/// one whenever its output queue runs low, so a slow client makes the
/// producer wait rather than buffer. Used on the loop only.
public protocol ResponseBodyProducer: AnyObject, Sendable {
    /// The whole body's length, promised in Content-Length before any
    /// piece; nil when unknown: the body then goes out chunked to HTTP/1.1
    /// clients and until the connection closes to HTTP/1.0 ones.
    var length: Int? { get }
    /// The next piece, or `.waiting` when it is being made off the loop:
    /// the producer then calls `resume` once, later, on the loop (never
    /// from within `next`), and the connection asks again.
    func next(resume: @escaping () -> Void) -> ProducedPiece
    /// The rest will not be sent (the client left, or the answer was a
    /// HEAD): release whatever is held. Called at most once, on the loop.
    func discard()
}

/// What a producer has for the connection when asked.
public enum ProducedPiece {
    /// Bytes, a file region, or parts of those (never a produced body).
    case piece(ResponseBody)
    /// Not ready: `resume` will be called.
    case waiting
    /// The body is complete.
    case end
    /// The body cannot be completed: the connection closes without ending
    /// it properly (no last chunk, or short of Content-Length), so the client
    /// knows the answer is incomplete.
    case failed
}
