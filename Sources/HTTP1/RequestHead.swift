
/// A parsed (or to-be-sent) request line and header fields, with what the
/// parser concluded from them: framing, keep-alive, `Expect: 100-continue`.
public struct RequestHead: Sendable {
    public var method: HTTPMethod
    /// The request target as sent: path and query, still percent-encoded.
    public var target: String {
        get {
            if case .string(let text) = targetText { return text }
            return withTargetBytes { String(decoding: $0, as: UTF8.self) }
        }
        set { targetText = .string(newValue) }
    }
    public var version: HTTPVersion
    public var headers: HTTPHeaders
    public var framing: BodyFraming
    /// Whether the connection may carry another request after this one.
    public var keepAlive: Bool
    public var expectsContinue: Bool

    /// Where the target's bytes are. A parsed head's stay in the bytes of
    /// the head it came in (which its fields share): a target of more than
    /// 15 bytes would otherwise be a String of its own, allocated and
    /// checked as UTF-8 on every request, only to be split again.
    @usableFromInline
    enum TargetText: Sendable {
        case string(String)
        case inHead([UInt8], Range<Int32>)
    }
    @usableFromInline var targetText: TargetText

    public init(
        method: HTTPMethod, target: String, version: HTTPVersion = .http11,
        headers: HTTPHeaders = HTTPHeaders(), framing: BodyFraming = .none,
        keepAlive: Bool = true, expectsContinue: Bool = false
    ) {
        self.method = method
        self.targetText = .string(target)
        self.version = version
        self.headers = headers
        self.framing = framing
        self.keepAlive = keepAlive
        self.expectsContinue = expectsContinue
    }

    /// Used by the parser: the target is `head[range]`.
    init(method: HTTPMethod, targetIn head: [UInt8], range: Range<Int32>, version: HTTPVersion, headers: HTTPHeaders,
         framing: BodyFraming, keepAlive: Bool, expectsContinue: Bool) {
        self.init(method: method, target: "", version: version, headers: headers, framing: framing,
                  keepAlive: keepAlive, expectsContinue: expectsContinue)
        targetText = .inHead(head, range)
    }

    /// Calls `body` with the target's bytes in place. Inlinable: called
    /// from other modules on every request, unspecialized it cost ~300
    /// instructions a call.
    @inlinable
    public func withTargetBytes<T>(_ body: (UnsafeRawBufferPointer) -> T) -> T {
        switch targetText {
        case .string(var text):
            return text.withUTF8 { body(UnsafeRawBufferPointer($0)) }
        case .inHead(let head, let range):
            return head.withUnsafeBytes { body(UnsafeRawBufferPointer(rebasing: $0[Int(range.lowerBound)..<Int(range.upperBound)])) }
        }
    }

    /// Calls `body` with the bytes of the target's path (before any `?`)
    /// and of its query (after the first `?`, nil when there is none), in
    /// place: the router reads them on every request.
    @inlinable
    public func withPathAndQueryBytes<T>(_ body: (UnsafeRawBufferPointer, UnsafeRawBufferPointer?) -> T) -> T {
        withTargetBytes { target in
            guard let mark = target.firstIndex(of: UInt8(ascii: "?")) else { return body(target, nil) }
            return body(UnsafeRawBufferPointer(rebasing: target[..<mark]),
                        UnsafeRawBufferPointer(rebasing: target[(mark + 1)...]))
        }
    }

    /// The target's path, before any `?`.
    public var path: Substring {
        withPathAndQueryBytes { path, _ in Substring(String(decoding: path, as: UTF8.self)) }
    }

    /// The target's query, after the first `?`, or nil.
    public var query: Substring? {
        withPathAndQueryBytes { _, query in query.map { Substring(String(decoding: $0, as: UTF8.self)) } }
    }

    /// Writes the request line, the header fields and `generated` ones
    /// (`Content-Length`, `Connection`), then the empty line. Framing
    /// headers not given in `generated` are the caller's to include.
    public func serialize(into bytes: inout [UInt8], adding generated: GeneratedFields = GeneratedFields()) {
        let method = method.description
        withTargetBytes { target in
            let requestLineBound = method.utf8.count + 1 + target.count + 1 + 8 + 2
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
}
