import HTTP1

/// How heads change on their way through http mode: hop-by-hop fields go
/// (Connection, Keep-Alive, Proxy-Connection, TE, Trailer, Upgrade, and
/// every field Connection names), framing is rewritten to how we relay the
/// body, and X-Forwarded-For gains the client's address. Written byte by
/// byte from the parsed head: no field becomes a String on the way.
public enum ForwardedHead {
    static let hopByHop: [[UInt8]] = [
        "connection", "keep-alive", "proxy-connection", "te", "trailer", "upgrade",
        "transfer-encoding", "content-length", "expect",
    ].map { Array($0.utf8) }
    static let forwardedFor = Array("x-forwarded-for".utf8)
    private static let closeToken = Array("close".utf8)
    private static let requestLineEnd = Array(" HTTP/1.1\r\n".utf8)
    private static let statusLineStart = Array("HTTP/1.1 ".utf8)
    private static let forwardedForPrefix = Array("X-Forwarded-For: ".utf8)
    private static let contentLengthPrefix = Array("Content-Length: ".utf8)
    private static let chunkedField = Array("Transfer-Encoding: chunked\r\n".utf8)
    private static let backendPrefix = Array("X-Backend: ".utf8)
    private static let connectionClose = Array("Connection: close\r\n".utf8)
    private static let connectionKeepAlive = Array("Connection: keep-alive\r\n".utf8)

    /// The request as the backend gets it (always kept alive).
    public static func request(_ head: RequestHead, clientAddress: String) -> [UInt8] {
        var bytes: [UInt8] = []
        writeRequest(head, clientAddress: Array(clientAddress.utf8), into: &bytes)
        return bytes
    }

    /// Appends the request head as the backend gets it to `bytes` (a buffer
    /// the connection reuses, so a request costs no allocation here).
    static func writeRequest(_ head: RequestHead, clientAddress: [UInt8], into bytes: inout [UInt8]) {
        bytes.append(contentsOf: head.method.description.utf8)
        bytes.append(0x20)
        bytes.append(contentsOf: head.target.utf8)
        bytes.append(contentsOf: requestLineEnd)
        let named = connectionNamed(head.headers)
        var forwardedCount = 0
        head.headers.forEachRaw { name, value in
            if equalsIgnoringCase(name, forwardedFor) {
                forwardedCount += 1
            } else if !isDropped(name, named: named) {
                appendField(name, value, to: &bytes)
            }
        }
        bytes.append(contentsOf: forwardedForPrefix)
        if forwardedCount > 0 {
            // Earlier proxies' addresses first, in order, then the client's.
            head.headers.forEachRaw { name, value in
                guard equalsIgnoringCase(name, forwardedFor) else { return }
                bytes.append(contentsOf: value)
                bytes.append(contentsOf: [0x2C, 0x20])
            }
        }
        bytes.append(contentsOf: clientAddress)
        bytes.append(contentsOf: [13, 10])
        appendFraming(head.framing, to: &bytes)
        bytes.append(contentsOf: [13, 10])
    }

    /// The response as the client gets it; `keepAlive` says whether the
    /// client connection stays open after it; `backend` is `X-Backend`'s value.
    public static func response(_ head: ResponseHead, backend: [UInt8], keepAlive: Bool, clientVersion: HTTPVersion) -> [UInt8] {
        var bytes: [UInt8] = []
        writeResponse(head, backend: backend, keepAlive: keepAlive, clientVersion: clientVersion, into: &bytes)
        return bytes
    }

    /// Appends the response head as the client gets it to `bytes`.
    static func writeResponse(_ head: ResponseHead, backend: [UInt8], keepAlive: Bool, clientVersion: HTTPVersion,
                              into bytes: inout [UInt8]) {
        bytes.append(contentsOf: statusLineStart)
        HTTPStatus.appendCode(head.status, to: &bytes)
        bytes.append(0x20)
        bytes.append(contentsOf: (head.reason.isEmpty ? HTTPStatus.reason(head.status) : head.reason).utf8)
        bytes.append(contentsOf: [13, 10])
        let named = connectionNamed(head.headers)
        head.headers.forEachRaw { name, value in
            if !isDropped(name, named: named) { appendField(name, value, to: &bytes) }
        }
        switch head.framing {
        case .length, .chunked: appendFraming(head.framing, to: &bytes)
        case .none:
            // No body follows; a HEAD answer keeps the length it announces.
            if head.status >= 200 && head.status != 204 && head.status != 304 {
                bytes.append(contentsOf: contentLengthPrefix)
                var announced = false
                head.headers.forEachRaw { name, value in
                    guard !announced, equalsIgnoringCase(name, hopByHop[7]) else { return }  // content-length
                    announced = true
                    bytes.append(contentsOf: value)
                }
                if !announced { bytes.append(0x30) }
                bytes.append(contentsOf: [13, 10])
            }
        case .untilClose: break
        }
        bytes.append(contentsOf: backendPrefix)
        bytes.append(contentsOf: backend)
        bytes.append(contentsOf: [13, 10])
        if !keepAlive {
            bytes.append(contentsOf: connectionClose)
        } else if clientVersion == .http10 {
            bytes.append(contentsOf: connectionKeepAlive)
        }
        bytes.append(contentsOf: [13, 10])
    }

    private static func appendFraming(_ framing: BodyFraming, to bytes: inout [UInt8]) {
        switch framing {
        case .length(let length):
            bytes.append(contentsOf: contentLengthPrefix)
            appendDecimal(length, to: &bytes)
            bytes.append(contentsOf: [13, 10])
        case .chunked: bytes.append(contentsOf: chunkedField)
        case .none, .untilClose: break
        }
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
    /// the common head costs no allocation: tokens are scanned in place.
    private static func connectionNamed(_ headers: HTTPHeaders) -> [[UInt8]]? {
        var named: [[UInt8]]?
        headers.forEachRaw { name, value in
            guard equalsIgnoringCase(name, hopByHop[0]) else { return }
            var start = 0
            while start < value.count {
                var end = start
                while end < value.count && value[end] != 0x2C { end += 1 }
                var first = start, last = end
                while first < last && (value[first] == 0x20 || value[first] == 0x09) { first += 1 }
                while last > first && (value[last - 1] == 0x20 || value[last - 1] == 0x09) { last -= 1 }
                start = end + 1
                guard last > first else { continue }
                let token = UnsafeRawBufferPointer(rebasing: value[first..<last])
                if equalsIgnoringCase(token, closeToken) || isDropped(token, named: nil) { continue }
                named = (named ?? []) + [token.map { $0 >= 65 && $0 <= 90 ? $0 | 0x20 : $0 }]
            }
        }
        return named
    }

    private static func isDropped(_ name: UnsafeRawBufferPointer, named: [[UInt8]]?) -> Bool {
        // The hop-by-hop names are 2, 6, 7, 10, 14, 16 or 17 bytes long:
        // most fields are told apart by their length alone.
        switch name.count {
        case 2, 6, 7, 10, 14, 16, 17:
            for field in hopByHop where equalsIgnoringCase(name, field) { return true }
        default:
            break
        }
        guard let named else { return false }
        return named.contains { equalsIgnoringCase(name, $0) }
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

    private static func appendField(_ name: UnsafeRawBufferPointer, _ value: UnsafeRawBufferPointer, to bytes: inout [UInt8]) {
        bytes.append(contentsOf: name)
        bytes.append(contentsOf: [0x3A, 0x20])
        bytes.append(contentsOf: value)
        bytes.append(contentsOf: [13, 10])
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
