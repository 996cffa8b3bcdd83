/// An incremental, strict HTTP/1.x response parser: the balancer reads
/// backends with it, the load generator reads servers. Same shape as
/// `RequestParser`; the caller says what request each response answers,
/// because a response to HEAD, and 1xx/204/304, have no body.
public struct ResponseParser {
    public enum Event {
        case head(ResponseHead)
        case body(UnsafeRawBufferPointer)
        case end
        case needMore
        case error(HTTPParseError)
    }

    public var limits: HTTPLimits
    private var scanner = HeadScanner()
    private var body: BodyDecoder?
    private var failure: HTTPParseError?
    private var answeringHead = false
    /// Whether the last call saw part of a head: closing then cuts it short.
    private var headPending = false

    public init(limits: HTTPLimits = .default) {
        self.limits = limits
    }

    /// Whether the parser is between responses.
    public var isIdle: Bool { body == nil }

    /// Says that the next response answers a HEAD request (or not).
    public mutating func expectResponse(toHead: Bool) {
        answeringHead = toHead
    }

    public mutating func next(_ input: UnsafeRawBufferPointer) -> (event: Event, consumed: Int) {
        if let failure { return (.error(failure), 0) }
        if body != nil { return nextBody(input) }
        switch scanner.scan(input, firstLineLimit: limits.maxRequestLine, firstLineError: .badStatusLine,
                            headLimit: limits.maxHeadBytes) {
        case .needMore:
            headPending = !input.isEmpty
            return (.needMore, 0)
        case .failed(let error):
            return fail(error)
        case .complete(let length):
            headPending = false
            switch Self.parseHead(UnsafeRawBufferPointer(rebasing: input[0..<length]), limits: limits,
                                  answeringHead: answeringHead) {
            case .failure(let error):
                return fail(error)
            case .success(let head):
                // An interim 1xx is followed by the real response: no body, no end.
                if head.status >= 200 { body = BodyDecoder(framing: head.framing, limits: limits) }
                return (.head(head), length)
            }
        }
    }

    /// Call when the server closed: ends a body that runs until close, and
    /// is an error for a response cut short, in its head or its body; nil
    /// when the parser was between responses.
    public mutating func finish() -> Event? {
        if let failure { return .error(failure) }
        if let decoder = body {
            body = nil
            if decoder.isUntilClose { return .end }
        } else if !headPending {
            return nil
        }
        failure = .truncated
        return .error(.truncated)
    }

    private mutating func nextBody(_ input: UnsafeRawBufferPointer) -> (event: Event, consumed: Int) {
        switch body!.next(input) {
        case .bytes(let bytes, let consumed):
            return (.body(bytes), consumed)
        case .end(let consumed):
            body = nil
            scanner.reset()
            return (.end, consumed)
        case .needMore(let consumed):
            return (.needMore, consumed)
        case .failed(let error):
            return fail(error)
        }
    }

    private mutating func fail(_ error: HTTPParseError) -> (event: Event, consumed: Int) {
        failure = error
        body = nil
        return (.error(error), 0)
    }

    static func parseHead(
        _ head: UnsafeRawBufferPointer, limits: HTTPLimits, answeringHead: Bool
    ) -> Result<ResponseHead, HTTPParseError> {
        // status-line = HTTP-version SP 3DIGIT SP [ reason-phrase ] CRLF
        guard head.count >= 14, let version = VersionText.parse(UnsafeRawBufferPointer(rebasing: head[0..<8])),
              head[8] == ASCII.space else { return .failure(.badStatusLine) }
        var status = 0
        for index in 9..<12 {
            let byte = head[index]
            guard byte >= 0x30 && byte <= 0x39 else { return .failure(.badStatusLine) }
            status = status * 10 + Int(byte - 0x30)
        }
        guard status >= 100 else { return .failure(.badStatusLine) }
        var lineEnd = 12
        while head[lineEnd] != ASCII.cr { lineEnd += 1 }
        guard head[lineEnd + 1] == ASCII.lf else { return .failure(.bareCarriageReturn) }
        var reason = ""
        if lineEnd > 12 {
            guard head[12] == ASCII.space else { return .failure(.badStatusLine) }
            let bytes = UnsafeRawBufferPointer(rebasing: head[13..<lineEnd])
            guard bytes.allSatisfy(ASCII.isFieldValue) else { return .failure(.badStatusLine) }
            reason = String(decoding: bytes, as: UTF8.self)
        }
        let spans: [HTTPHeaders.Span]
        var summary = FieldSummary()
        switch HeadScanner.parseFields(head, from: lineEnd + 2, maxCount: limits.maxHeaderCount, summary: &summary) {
        case .failure(let error): return .failure(error)
        case .success(let parsed): spans = parsed
        }
        var response = ResponseHead(status: status, reason: reason, version: version,
                                    headers: HTTPHeaders(storage: Array(head), spans: spans))
        if answeringHead || status < 200 || status == 204 || status == 304 {
            response.framing = .none
        } else {
            switch FramingRules.framing(of: response.headers, summary: summary, isRequest: false) {
            case .failure(let error): return .failure(error)
            case .success(let framing): response.framing = framing
            }
        }
        if case .length(let length) = response.framing, length > limits.maxBodyBytes {
            return .failure(.bodyTooLarge)
        }
        let connection = response.headers
        response.keepAlive = response.framing != .untilClose && (version == .http11
            ? !connection.containsToken("close", in: "connection")
            : connection.containsToken("keep-alive", in: "connection"))
        return .success(response)
    }
}
