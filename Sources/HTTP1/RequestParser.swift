/// An incremental, strict HTTP/1.1 request parser: feed it the bytes that
/// have arrived, get back one event and how many bytes it used. No I/O.
///
/// The caller drops the consumed bytes and calls again until `.needMore`.
/// After `.end` the parser is ready for the next (pipelined) request; after
/// `.error` the connection must be answered with `error.status` and closed.
public struct RequestParser {
    public enum Event {
        case head(RequestHead)
        /// Body bytes, valid only until the caller drops them from its buffer.
        case body(UnsafeRawBufferPointer)
        case end
        case needMore
        case error(HTTPParseError)
    }

    public var limits: HTTPLimits
    private var scanner = HeadScanner()
    private var body: BodyDecoder?
    private var failure: HTTPParseError?
    /// Whether the last call saw part of a head: closing then cuts it short.
    private var headPending = false

    public init(limits: HTTPLimits = .default) {
        self.limits = limits
    }

    /// Whether the parser is between requests (no head or body half-read).
    public var isIdle: Bool { body == nil }

    /// The same, with the count of bytes used in `consumed`: the server's
    /// loop then holds the event alone, not a tuple it copies and destroys
    /// through the runtime's type metadata (~300 instructions a request).
    public mutating func next(_ input: UnsafeRawBufferPointer, consumed: inout Int) -> Event {
        let step = next(input)
        consumed = step.consumed
        return step.event
    }

    public mutating func next(_ input: UnsafeRawBufferPointer) -> (event: Event, consumed: Int) {
        if let failure { return (.error(failure), 0) }
        if body != nil { return nextBody(input) }
        // RFC 9112 2.2: ignore empty lines before a request line.
        var skipped = 0
        while skipped + 1 < input.count && input[skipped] == ASCII.cr && input[skipped + 1] == ASCII.lf {
            skipped += 2
        }
        if skipped > limits.maxRequestLine { return fail(.badRequestLine) }
        let rest = UnsafeRawBufferPointer(rebasing: input[skipped...])
        let scan = scanner.scan(
            rest, firstLineLimit: limits.maxRequestLine, firstLineError: .requestLineTooLong,
            headLimit: limits.maxHeadBytes)
        headPending = false
        switch scan {
        case .needMore:
            headPending = !rest.isEmpty
            return (.needMore, 0)
        case .failed(let error):
            return fail(error)
        case .complete(let length):
            switch Self.parseHead(UnsafeRawBufferPointer(rebasing: rest[0..<length]), limits: limits) {
            case .failure(let error):
                return fail(error)
            case .success(let head):
                body = BodyDecoder(framing: head.framing, limits: limits)
                return (.head(head), skipped + length)
            }
        }
    }

    /// Call when the peer closed: a request cut short, in its head or its
    /// body, is an error; nil when the parser was between requests.
    public mutating func finish() -> Event? {
        if let failure { return .error(failure) }
        return body == nil && !headPending ? nil : fail(.truncated).event
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
}

extension RequestParser {
    /// Parses a complete head (request line, fields, final CRLF).
    static func parseHead(_ head: UnsafeRawBufferPointer, limits: HTTPLimits) -> Result<RequestHead, HTTPParseError> {
        // request-line = method SP request-target SP HTTP-version CRLF
        var index = 0
        while ASCII.isToken(head[index]) { index += 1 }
        guard index > 0, head[index] == ASCII.space else { return .failure(.badRequestLine) }
        let method = HTTPMethod(bytes: UnsafeRawBufferPointer(rebasing: head[0..<index]))
        index += 1
        let targetStart = index
        while ASCII.isTarget(head[index]) { index += 1 }
        guard index > targetStart, head[index] == ASCII.space else { return .failure(.badRequestLine) }
        let targetRange = Int32(targetStart)..<Int32(index)
        index += 1
        guard index + 10 <= head.count, head[index + 8] == ASCII.cr, head[index + 9] == ASCII.lf else {
            return .failure(.badRequestLine)
        }
        let version: HTTPVersion
        switch VersionText.parse(UnsafeRawBufferPointer(rebasing: head[index..<(index + 8)])) {
        case .some(.http11): version = .http11
        case .some(.http10): version = .http10
        case .none:
            return .failure(VersionText.looksLikeHTTP(UnsafeRawBufferPointer(rebasing: head[index..<(index + 8)]))
                ? .unsupportedVersion : .badRequestLine)
        }
        let fieldsStart = index + 10

        let spans: [HTTPHeaders.Span]
        var summary = FieldSummary()
        switch HeadScanner.parseFields(head, from: fieldsStart, maxCount: limits.maxHeaderCount, summary: &summary) {
        case .failure(let error): return .failure(error)
        case .success(let parsed): spans = parsed
        }
        let bytes = Array(head)
        let headers = HTTPHeaders(storage: bytes, spans: spans)

        if summary.host > 1 { return .failure(.duplicateHost) }
        if summary.host == 0 && version == .http11 { return .failure(.missingHost) }

        let framing: BodyFraming
        if version == .http10 && summary.transferEncoding > 0 { return .failure(.badTransferEncoding) }
        switch FramingRules.framing(of: headers, summary: summary, isRequest: true) {
        case .failure(let error): return .failure(error)
        case .success(let parsed): framing = parsed
        }
        if case .length(let length) = framing, length > limits.maxBodyBytes { return .failure(.bodyTooLarge) }

        let keepAlive: Bool
        if summary.connection == 0 {
            keepAlive = version == .http11
        } else if version == .http11 {
            keepAlive = !headers.containsToken("close", in: "connection")
        } else {
            keepAlive = headers.containsToken("keep-alive", in: "connection")
                && !headers.containsToken("close", in: "connection")
        }

        var expectsContinue = false
        if summary.expect > 0 {
            for expect in headers.values("expect") where expect.lowercased() != "100-continue" {
                return .failure(.unsupportedExpectation)
            }
            expectsContinue = version == .http11
        }
        return .success(RequestHead(
            method: method, targetIn: bytes, range: targetRange, version: version, headers: headers,
            framing: framing, keepAlive: keepAlive, expectsContinue: expectsContinue))
    }
}

/// The eight bytes `HTTP/1.x`.
enum VersionText {
    static func parse(_ bytes: UnsafeRawBufferPointer) -> HTTPVersion? {
        guard looksLikeHTTP(bytes), bytes[5] == 0x31 else { return nil }
        switch bytes[7] {
        case 0x31: return .http11
        case 0x30: return .http10
        default: return nil
        }
    }

    /// `HTTP/d.d`: well formed, if perhaps a version we do not speak.
    static func looksLikeHTTP(_ bytes: UnsafeRawBufferPointer) -> Bool {
        // Byte by byte: elementsEqual over "HTTP/".utf8 cost ~330 instructions a request.
        bytes.count == 8 && bytes[0] == 0x48 && bytes[1] == 0x54 && bytes[2] == 0x54 && bytes[3] == 0x50 && bytes[4] == 0x2F
            && (0x30...0x39).contains(bytes[5]) && bytes[6] == 0x2E && (0x30...0x39).contains(bytes[7])
    }
}
