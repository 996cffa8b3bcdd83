import EventCore
import HTTP1

/// How heads change on their way through http mode: hop-by-hop fields go
/// (Connection, Keep-Alive, Proxy-Connection, TE, Trailer, Upgrade, and
/// every field Connection names), framing is rewritten to how we relay the
/// body, and X-Forwarded-For gains the client's address. The fields are
/// gathered from the parsed head's bytes into a reused `HTTPHeaders` and
/// written by HTTP1's `serialize(into:)`: no field becomes a String on the
/// way, and a request allocates nothing once the buffers have grown.
public enum ForwardedHead {
    static let hopByHop: [[UInt8]] = [
        "connection", "keep-alive", "proxy-connection", "te", "trailer", "upgrade",
        "transfer-encoding", "content-length", "expect",
    ].map { Array($0.utf8) }
    static let forwardedFor = Array("x-forwarded-for".utf8)
    private static let closeToken = Array("close".utf8)
    private static let forwardedForName = Array("X-Forwarded-For".utf8)
    private static let contentLengthName = Array("Content-Length".utf8)
    private static let transferEncodingName = Array("Transfer-Encoding".utf8)
    private static let chunkedValue = Array("chunked".utf8)
    private static let hostName = Array("Host".utf8)
    private static let hostLower = Array("host".utf8)
    private static let idempotencyKeyName = Array("Idempotency-Key".utf8)
    private static let idempotencyKeyLower = Array("idempotency-key".utf8)
    private static let backendName = Array("X-Backend".utf8)
    private static let connectionName = Array("Connection".utf8)
    private static let closeValue = Array("close".utf8)
    private static let keepAliveValue = Array("keep-alive".utf8)

    /// The request as the backend at `backend` gets it (always kept alive).
    public static func request(_ head: RequestHead, clientAddress: String, backend: SocketAddress) -> [UInt8] {
        var bytes: [UInt8] = [], fields = HTTPHeaders()
        writeRequest(head, clientAddress: Array(clientAddress.utf8), backend: backend, keys: IdempotencyKeySource(),
                     fields: &fields, into: &bytes)
        return bytes
    }

    /// Appends the request head as the backend gets it to `bytes`; `fields`
    /// is scratch space the caller reuses (its contents are replaced). It
    /// goes out as HTTP/1.1, which requires Host: an HTTP/1.0 request
    /// without one gets the backend's address. A PUT, POST or DELETE without
    /// an `Idempotency-Key` gets one from `keys`: a retry sends these same
    /// bytes, so the worker can tell its own earlier attempt.
    static func writeRequest(_ head: RequestHead, clientAddress: [UInt8], backend: SocketAddress, keys: IdempotencyKeySource,
                             fields: inout HTTPHeaders, into bytes: inout [UInt8]) {
        let named = connectionNamed(head.headers)
        var forwardedCount = 0
        var hasHost = false
        var hasKey = false
        fields.removeAll(keepingCapacity: true)
        head.headers.forEachRaw { name, value in
            if equalsIgnoringCase(name, forwardedFor) {
                forwardedCount += 1
            } else if !isDropped(name, named: named) {
                hasHost = hasHost || equalsIgnoringCase(name, hostLower)
                hasKey = hasKey || equalsIgnoringCase(name, idempotencyKeyLower)
                fields.append(name: name) { $0.append(contentsOf: value) }
            }
        }
        if !hasHost { append(hostName, to: &fields) { $0.append(contentsOf: backend.description.utf8) } }
        if !hasKey && (head.method == .PUT || head.method == .POST || head.method == .DELETE) {
            append(idempotencyKeyName, to: &fields) { keys.appendNext(to: &$0) }
        }
        append(forwardedForName, to: &fields) { value in
            if forwardedCount > 0 {
                // Earlier proxies' addresses first, in order, then the client's.
                head.headers.forEachRaw { name, earlier in
                    guard equalsIgnoringCase(name, forwardedFor) else { return }
                    value.append(contentsOf: earlier)
                    value.append(contentsOf: [0x2C, 0x20])
                }
            }
            value.append(contentsOf: clientAddress)
        }
        appendFraming(head.framing, to: &fields)
        // A copy of the head keeps its target's bytes where they are (no String of them).
        var forwarded = head
        forwarded.version = .http11
        forwarded.headers = fields
        forwarded.serialize(into: &bytes)
    }

    /// The response as the client gets it; `keepAlive` says whether the
    /// client connection stays open after it; `backend` is `X-Backend`'s
    /// value (nil: no X-Backend).
    public static func response(_ head: ResponseHead, backend: [UInt8]?, keepAlive: Bool, clientVersion: HTTPVersion) -> [UInt8] {
        var bytes: [UInt8] = [], fields = HTTPHeaders()
        writeResponse(head, backend: backend, keepAlive: keepAlive, clientVersion: clientVersion, fields: &fields, into: &bytes)
        return bytes
    }

    /// Appends the response head as the client gets it to `bytes`.
    static func writeResponse(_ head: ResponseHead, backend: [UInt8]?, keepAlive: Bool, clientVersion: HTTPVersion,
                              fields: inout HTTPHeaders, into bytes: inout [UInt8]) {
        let named = connectionNamed(head.headers)
        fields.removeAll(keepingCapacity: true)
        head.headers.forEachRaw { name, value in
            if !isDropped(name, named: named) { fields.append(name: name) { $0.append(contentsOf: value) } }
        }
        switch head.framing {
        case .length, .chunked: appendFraming(head.framing, to: &fields)
        case .none:
            // No body follows; a HEAD answer keeps the length it announces.
            if head.status >= 200 && head.status != 204 && head.status != 304 {
                append(contentLengthName, to: &fields) { value in
                    var announced = false
                    head.headers.forEachRaw { name, length in
                        guard !announced, equalsIgnoringCase(name, hopByHop[7]) else { return }  // content-length
                        announced = true
                        value.append(contentsOf: length)
                    }
                    if !announced { value.append(0x30) }
                }
            }
        case .untilClose: break
        }
        if let backend { append(backendName, to: &fields) { $0.append(contentsOf: backend) } }
        if !keepAlive {
            append(connectionName, to: &fields) { $0.append(contentsOf: closeValue) }
        } else if clientVersion == .http10 {
            append(connectionName, to: &fields) { $0.append(contentsOf: keepAliveValue) }
        }
        ResponseHead(status: head.status, reason: head.reason.isEmpty ? nil : head.reason, version: .http11, headers: fields)
            .serialize(into: &bytes)
    }

    private static func appendFraming(_ framing: BodyFraming, to fields: inout HTTPHeaders) {
        switch framing {
        case .length(let length): append(contentLengthName, to: &fields) { appendDecimal(length, to: &$0) }
        case .chunked: append(transferEncodingName, to: &fields) { $0.append(contentsOf: chunkedValue) }
        case .none, .untilClose: break
        }
    }

    private static func append(_ name: [UInt8], to fields: inout HTTPHeaders, _ writeValue: (inout [UInt8]) -> Void) {
        name.withUnsafeBytes { fields.append(name: $0, writingValue: writeValue) }
    }

    /// Appends a non-negative integer in decimal, without a String.
    static func appendDecimal(_ value: Int, to bytes: inout [UInt8]) {
        guard value > 0 else { return bytes.append(0x30) }
        var divisor = 1
        while divisor <= value / 10 { divisor *= 10 }
        var rest = value
        while divisor > 0 {
            bytes.append(UInt8(0x30 + rest / divisor))
            rest %= divisor
            divisor /= 10
        }
    }

    /// Field names listed in Connection (lower-cased) that are not already
    /// dropped; nil in the usual case (none, or only close / keep-alive), so
    /// the common head costs no allocation. One pass over the tokens, each
    /// name kept once: a hostile `Connection: a,a,a,...` of 32 KiB costs
    /// linear time, not a copy of the list per token.
    static func connectionNamed(_ headers: HTTPHeaders) -> Set<[UInt8]>? {
        var named: Set<[UInt8]>?
        headers.forEachToken(in: "connection") { token in
            if equalsIgnoringCase(token, closeToken) || isDropped(token, named: nil) { return true }
            named = named ?? []
            named!.insert(lowercased(token))
            return true
        }
        return named
    }

    private static func isDropped(_ name: UnsafeRawBufferPointer, named: Set<[UInt8]>?) -> Bool {
        // The hop-by-hop names are 2, 6, 7, 10, 14, 16 or 17 bytes long:
        // most fields are told apart by their length alone.
        switch name.count {
        case 2, 6, 7, 10, 14, 16, 17:
            for field in hopByHop where equalsIgnoringCase(name, field) { return true }
        default:
            break
        }
        guard let named else { return false }
        return named.contains(lowercased(name))
    }

    private static func lowercased(_ bytes: UnsafeRawBufferPointer) -> [UInt8] {
        bytes.map { $0 >= 65 && $0 <= 90 ? $0 | 0x20 : $0 }
    }

    @inline(__always)
    private static func equalsIgnoringCase(_ name: UnsafeRawBufferPointer, _ lower: [UInt8]) -> Bool {
        guard name.count == lower.count else { return false }
        for index in 0..<name.count {
            let byte = name[index]
            if (byte >= 65 && byte <= 90 ? byte | 0x20 : byte) != lower[index] { return false }
        }
        return true
    }

    /// Appends one chunk of the chunked coding: size in hex, CRLF, `body`, CRLF.
    static func appendChunk(_ body: UnsafeRawBufferPointer, to bytes: inout [UInt8]) {
        var shift = (Int.bitWidth - body.count.leadingZeroBitCount + 3) / 4 * 4
        if shift == 0 { shift = 4 }
        while shift > 0 {
            shift -= 4
            let digit = UInt8((body.count >> shift) & 0xF)
            bytes.append(digit < 10 ? 0x30 + digit : 0x57 + digit)
        }
        bytes.append(contentsOf: [13, 10])
        bytes.append(contentsOf: body)
        bytes.append(contentsOf: [13, 10])
    }

    static let chunkSuffix: [UInt8] = [13, 10]
    static let lastChunk: [UInt8] = Array("0\r\n\r\n".utf8)
}
