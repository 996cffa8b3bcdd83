import HTTP1

/// What an application implements to serve HTTP: it sees parsed requests
/// and answers `HTTPResponse`s, never libevent. Runs on the loop, so it
/// must only make short system calls.
public protocol HTTPHandler: AnyObject {
    /// Called once per request, when its head has arrived.
    func handle(_ request: RequestHead, from peer: String) -> HandlerDecision
}

/// A handler's answer to a request head.
public enum HandlerDecision {
    /// Answer now. A request body, if any, is not read: the connection
    /// closes after the answer (the right thing for 4xx before a body).
    case respond(HTTPResponse)
    /// Stream the body into `sink`; its `finish()` gives the answer.
    /// `Expect: 100-continue` is honoured first.
    case readBody(RequestBodySink)
    /// Answer later (after work off the loop): the handler calls the given
    /// function once, on the loop. Only for requests without a body; the
    /// connection reads no further request meanwhile.
    case respondLater((@escaping (HTTPResponse) -> Void) -> Void)
}

/// Receives a request body as it arrives, so no body is held whole in memory.
public protocol RequestBodySink: AnyObject {
    /// Takes the next bytes; returns an answer to stop early (413, 507, ...),
    /// after which the connection closes.
    func receive(_ bytes: UnsafeRawBufferPointer) -> HTTPResponse?
    /// The body is complete: commit and answer.
    func finish() -> HTTPResponse
    /// The client went away or sent a malformed body: undo everything.
    func abort()
}

/// A sink that gathers a small body in memory (flags, stream id lists),
/// refusing more than `limit` bytes, then hands it to `complete`.
public final class CollectingSink: RequestBodySink {
    private var bytes: [UInt8] = []
    private let limit: Int
    private let complete: ([UInt8]) -> HTTPResponse

    public init(limit: Int, complete: @escaping ([UInt8]) -> HTTPResponse) {
        self.limit = limit
        self.complete = complete
    }

    public func receive(_ chunk: UnsafeRawBufferPointer) -> HTTPResponse? {
        if bytes.count + chunk.count > limit { return .text(413, "body over \(limit) bytes") }
        bytes.append(contentsOf: chunk)
        return nil
    }

    public func finish() -> HTTPResponse { complete(bytes) }

    public func abort() { bytes = [] }
}
