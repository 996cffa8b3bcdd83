import EventCore
import HTTP1

/// One request on its way through http mode, and what is known of it.
struct HTTPExchange {
    let method: HTTPMethod
    let clientVersion: HTTPVersion
    let clientKeepAlive: Bool
    let chunkedRequest: Bool
    let startedAt: Double
    var backend: BackendConnection?
    var connecting = false
    /// Bytes for the backend while it is being connected.
    var pending: [UInt8] = []
    var requestComplete = false
    var responseStarted = false
    var chunkedResponse = false
    var closeClientAfter = false
    /// A backend took the request and then failed it (closed before
    /// answering): if no other backend can, the answer is 502, not 503.
    var backendBroke = false

    /// The session keeps what it sent of a request up to this size, so
    /// that the request can be retried on another backend.
    static let replayLimit = 64 * 1024

    init(head: RequestHead, startedAt: Double) {
        method = head.method
        clientVersion = head.version
        clientKeepAlive = head.keepAlive
        chunkedRequest = head.framing == .chunked
        self.startedAt = startedAt
    }

    /// May the request go again to another backend after this failure?
    /// The rule: never once a response byte arrived, never once a body byte
    /// was sent that we no longer hold (the replay copy keeps the first
    /// 64 KiB), and then either the connection was a reused kept-alive one
    /// (the backend closed it before reading our request: the classic
    /// keep-alive race, haproxy's `http-reuse` retry) or the method is
    /// idempotent. A refused connect is always retried (nothing was sent).
    func mayRetry(beforeAnyByte: Bool, reusedConnection: Bool, replayValid: Bool) -> Bool {
        guard beforeAnyByte, !responseStarted, replayValid else { return false }
        let idempotent = [HTTPMethod.GET, .HEAD, .PUT, .DELETE, .OPTIONS, .TRACE].contains(method)
        return reusedConnection || idempotent
    }
}
