import EventCore
import HTTP1

/// One request on its way through http mode, and what is known of it:
/// where its backend leg, its request body and its answer stand, each as
/// one enum, so that only the combinations that can happen can be written.
struct HTTPExchange {
    /// The backend side: no connection yet (being picked or connected;
    /// bytes for it wait in `pending`), or a connection carrying it.
    enum BackendLeg {
        case waiting(pending: [UInt8])
        case attached(BackendConnection)
    }

    /// The client's request: its body still arriving, or read whole (then
    /// the client may have half-closed: answer, then close).
    enum RequestProgress {
        case streaming
        case complete(clientHalfClosed: Bool)
    }

    /// The answer: none yet, or its head went out (then how its body is
    /// relayed, and whether the client connection closes after it).
    enum ResponseProgress {
        case awaited
        case relaying(chunked: Bool, closeClientAfter: Bool)
    }

    let method: HTTPMethod
    let clientVersion: HTTPVersion
    let clientKeepAlive: Bool
    let chunkedRequest: Bool
    let startedAt: Double
    var backend: BackendLeg
    var request = RequestProgress.streaming
    var response = ResponseProgress.awaited
    /// A backend took the request and then failed it (closed before
    /// answering): if no other backend can, the answer is 502, not 503.
    var backendBroke = false

    init(head: RequestHead, startedAt: Double, pending: [UInt8] = []) {
        method = head.method
        clientVersion = head.version
        clientKeepAlive = head.keepAlive
        chunkedRequest = head.framing == .chunked
        self.startedAt = startedAt
        backend = .waiting(pending: pending)
    }

    var connection: BackendConnection? {
        if case .attached(let connection) = backend { return connection }
        return nil
    }

    var requestComplete: Bool {
        if case .complete = request { return true }
        return false
    }

    var responseStarted: Bool {
        if case .relaying = response { return true }
        return false
    }

    /// Keeps `bytes` for the backend still being connected; returns how
    /// many are kept (0 if a connection already carries the request).
    mutating func hold(_ bytes: UnsafeRawBufferPointer) -> Int {
        guard case .waiting(var pending) = backend else { return 0 }
        backend = .waiting(pending: [])  // `pending` stays uniquely referenced: appended in place
        pending.append(contentsOf: bytes)
        backend = .waiting(pending: pending)
        return pending.count
    }

    /// Hands the request to `connection`; returns what waited for it.
    mutating func attach(_ connection: BackendConnection) -> [UInt8] {
        guard case .waiting(let pending) = backend else { return [] }
        backend = .attached(connection)
        return pending
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
