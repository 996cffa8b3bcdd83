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
