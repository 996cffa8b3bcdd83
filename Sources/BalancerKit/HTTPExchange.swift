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
    /// Everything sent so far, kept while small so the request can be
    /// retried on another backend; nil once too large to keep.
    var replay: [UInt8]?
    var tried: [SocketAddress] = []
    var requestComplete = false
    var responseStarted = false
    var chunkedResponse = false
    var closeClientAfter = false

    static let replayLimit = 64 * 1024

    init(head: RequestHead, startedAt: Double) {
        method = head.method
        clientVersion = head.version
        clientKeepAlive = head.keepAlive
        chunkedRequest = head.framing == .chunked
        self.startedAt = startedAt
    }

    /// May the request go again to another backend after this failure?
    func mayRetry(beforeAnyByte: Bool, reusedConnection: Bool) -> Bool {
        guard beforeAnyByte, !responseStarted, replay != nil else { return false }
        let idempotent = [HTTPMethod.GET, .HEAD, .PUT, .DELETE, .OPTIONS, .TRACE].contains(method)
        return reusedConnection || idempotent
    }

    mutating func remember(_ bytes: UnsafeRawBufferPointer) {
        guard replay != nil else { return }
        if replay!.count + bytes.count > Self.replayLimit { replay = nil } else { replay!.append(contentsOf: bytes) }
    }
}
