/// A response's status line and header fields: parsed by `ResponseParser`,
/// or built by a server and serialised once with `serialize(into:)`.
public struct ResponseHead: Sendable {
    public var status: Int
    public var reason: String
    public var version: HTTPVersion
    public var headers: HTTPHeaders
    /// Set by the parser: how the body is delimited.
    public var framing: BodyFraming
    /// Set by the parser: whether the server keeps the connection open.
    public var keepAlive: Bool

    public init(status: Int, reason: String? = nil, version: HTTPVersion = .http11, headers: HTTPHeaders = HTTPHeaders()) {
        self.status = status
        self.reason = reason ?? HTTPStatus.reason(status)
        self.version = version
        self.headers = headers
        self.framing = .none
        self.keepAlive = true
    }

    /// Writes the status line, the fields and `generated` ones (`Date`
    /// first, `Content-Length` and `Connection` last), then the empty line.
    public func serialize(into bytes: inout [UInt8], adding generated: GeneratedFields = GeneratedFields()) {
        let startLineBound = 8 + 1 + 3 + 1 + reason.utf8.count + 2
        bytes.append(atMost: startLineBound + headers.serializedBound + generated.bound) { writer in
            writer.put(version == .http10 ? "HTTP/1.0 " : "HTTP/1.1 ")
            HTTPStatus.writeCode(status, to: &writer)
            writer.put(ASCII.space)
            writer.put(reason)
            writer.putCRLF()
            generated.writeLeading(to: &writer)
            headers.write(to: &writer)
            generated.writeTrailing(to: &writer)
        }
    }
}
