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
public indirect enum ResponseBody: Sendable {
    case empty
    case bytes([UInt8])
    /// The server takes ownership of `descriptor` and closes it.
    case file(descriptor: Int32, offset: Int, length: Int)
    /// Several pieces back to back.
    case parts([ResponseBody])
    /// Pieces made one at a time as the client takes the answer, so a body
    /// of thousands of files holds only a few open at once.
    case produced(ResponseBodyProducer)

    public var length: Int {
        switch self {
        case .empty: return 0
        case .bytes(let bytes): return bytes.count
        case .file(_, _, let length): return length
        case .parts(let parts): return parts.reduce(0) { $0 + $1.length }
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
/// one whenever its output queue runs low. Used on the loop only.
public protocol ResponseBodyProducer: AnyObject, Sendable {
    /// The whole body's length, promised in Content-Length before any piece.
    var length: Int { get }
    /// The next piece (bytes, a file region, or parts of those), or nil when
    /// there is none. Ending before `length` bytes closes the connection.
    func next() -> ResponseBody?
    /// The rest will not be sent: release whatever is held.
    func discard()
}
