
/// A parsed (or to-be-sent) request line and header fields, with what the
/// parser concluded from them: framing, keep-alive, `Expect: 100-continue`.
public struct RequestHead: Sendable {
    public var method: HTTPMethod
    /// The request target as sent: path and query, still percent-encoded.
    public var target: String
    public var version: HTTPVersion
    public var headers: HTTPHeaders
    public var framing: BodyFraming
    /// Whether the connection may carry another request after this one.
    public var keepAlive: Bool
    public var expectsContinue: Bool

    public init(
        method: HTTPMethod, target: String, version: HTTPVersion = .http11,
        headers: HTTPHeaders = HTTPHeaders(), framing: BodyFraming = .none,
        keepAlive: Bool = true, expectsContinue: Bool = false
    ) {
        self.method = method
        self.target = target
        self.version = version
        self.headers = headers
        self.framing = framing
        self.keepAlive = keepAlive
        self.expectsContinue = expectsContinue
    }

    /// The target's path, before any `?`.
    public var path: Substring {
        queryMark.map { target[..<$0] } ?? Substring(target)
    }

    /// The target's query, after the first `?`, or nil.
    public var query: Substring? {
        queryMark.map { target[target.index(after: $0)...] }
    }

    /// The first `?`, found in the UTF-8 bytes: an ASCII byte's index is a
    /// valid String index, and a byte scan costs a fraction of String's
    /// per-Character search (a tenth of a blob GET's instructions each);
    /// over the contiguous bytes, a fraction again of the UTF8View's.
    private var queryMark: String.Index? {
        let utf8 = target.utf8
        guard let found = utf8.withContiguousStorageIfAvailable({ $0.firstIndex(of: UInt8(ascii: "?")) }) else {
            return utf8.firstIndex(of: UInt8(ascii: "?"))
        }
        return found.map { utf8.index(utf8.startIndex, offsetBy: $0) }
    }

    /// Writes the request line, the header fields and `generated` ones
    /// (`Content-Length`, `Connection`), then the empty line. Framing
    /// headers not given in `generated` are the caller's to include.
    public func serialize(into bytes: inout [UInt8], adding generated: GeneratedFields = GeneratedFields()) {
        let method = method.description
        let requestLineBound = method.utf8.count + 1 + target.utf8.count + 1 + 8 + 2
        bytes.append(atMost: requestLineBound + headers.serializedBound + generated.bound) { writer in
            writer.put(method)
            writer.put(ASCII.space)
            writer.put(target)
            writer.put(ASCII.space)
            writer.put(version == .http10 ? "HTTP/1.0" : "HTTP/1.1")
            writer.putCRLF()
            generated.writeLeading(to: &writer)
            headers.write(to: &writer)
            generated.writeTrailing(to: &writer)
        }
    }
}
