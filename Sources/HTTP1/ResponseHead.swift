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
        bytes.append(contentsOf: version.text.utf8)
        bytes.append(ASCII.space)
        HTTPStatus.appendCode(status, to: &bytes)
        bytes.append(ASCII.space)
        bytes.append(contentsOf: reason.utf8)
        bytes.appendCRLF()
        generated.serializeLeading(into: &bytes)
        headers.serialize(into: &bytes)
        generated.serializeTrailing(into: &bytes)
    }
}
