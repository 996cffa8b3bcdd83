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

    /// The request as the backend gets it (always kept alive).
    public static func request(_ head: RequestHead, clientAddress: String) -> [UInt8] {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(256)
        bytes.append(contentsOf: head.method.description.utf8)
        bytes.append(0x20)
        bytes.append(contentsOf: head.target.utf8)
        bytes.append(contentsOf: " HTTP/1.1\r\n".utf8)
        let named = connectionNamed(head.headers)
        var earlierForwardedFor: [UInt8] = []
        head.headers.forEachRaw { name, value in
            if equalsIgnoringCase(name, forwardedFor) {
                if !earlierForwardedFor.isEmpty { earlierForwardedFor.append(contentsOf: ", ".utf8) }
                earlierForwardedFor.append(contentsOf: value)
            } else if !isDropped(name, named: named) {
                appendField(name, value, to: &bytes)
            }
        }
        bytes.append(contentsOf: "X-Forwarded-For: ".utf8)
        if !earlierForwardedFor.isEmpty {
            bytes.append(contentsOf: earlierForwardedFor)
            bytes.append(contentsOf: ", ".utf8)
        }
        bytes.append(contentsOf: clientAddress.utf8)
        bytes.append(contentsOf: [13, 10])
        switch head.framing {
        case .length(let length): bytes.append(contentsOf: "Content-Length: \(length)\r\n".utf8)
        case .chunked: bytes.append(contentsOf: "Transfer-Encoding: chunked\r\n".utf8)
        case .none, .untilClose: break
        }
        bytes.append(contentsOf: [13, 10])
        return bytes
    }

    /// The response as the client gets it; `keepAlive` says whether the
    /// client connection stays open after it; `backend` is `X-Backend`'s value.
    public static func response(_ head: ResponseHead, backend: [UInt8], keepAlive: Bool, clientVersion: HTTPVersion) -> [UInt8] {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(256)
        bytes.append(contentsOf: "HTTP/1.1 ".utf8)
        HTTPStatus.appendCode(head.status, to: &bytes)
        bytes.append(0x20)
        bytes.append(contentsOf: (head.reason.isEmpty ? HTTPStatus.reason(head.status) : head.reason).utf8)
        bytes.append(contentsOf: [13, 10])
        let named = connectionNamed(head.headers)
        var backendLength: [UInt8]?
        head.headers.forEachRaw { name, value in
            if isDropped(name, named: named) {
                if equalsIgnoringCase(name, hopByHop[7]) { backendLength = Array(value) }  // content-length
            } else {
                appendField(name, value, to: &bytes)
            }
        }
        switch head.framing {
        case .length(let length): bytes.append(contentsOf: "Content-Length: \(length)\r\n".utf8)
        case .chunked: bytes.append(contentsOf: "Transfer-Encoding: chunked\r\n".utf8)
        case .none:
            // No body follows; a HEAD answer keeps the length it announces.
            if head.status >= 200 && head.status != 204 && head.status != 304 {
                bytes.append(contentsOf: "Content-Length: ".utf8)
                bytes.append(contentsOf: backendLength ?? [0x30])
                bytes.append(contentsOf: [13, 10])
            }
        case .untilClose: break
        }
        bytes.append(contentsOf: "X-Backend: ".utf8)
        bytes.append(contentsOf: backend)
        bytes.append(contentsOf: [13, 10])
        if !keepAlive {
            bytes.append(contentsOf: "Connection: close\r\n".utf8)
        } else if clientVersion == .http10 {
            bytes.append(contentsOf: "Connection: keep-alive\r\n".utf8)
        }
        bytes.append(contentsOf: [13, 10])
        return bytes
    }

    /// Field names listed in Connection (lower-cased); usually none.
    private static func connectionNamed(_ headers: HTTPHeaders) -> [[UInt8]] {
        var named: [[UInt8]] = []
        headers.forEachRaw { name, value in
            guard equalsIgnoringCase(name, hopByHop[0]) else { return }
            for token in value.split(separator: 0x2C) {
                let trimmed = token.drop { $0 == 0x20 || $0 == 0x09 }.reversed().drop { $0 == 0x20 || $0 == 0x09 }.reversed()
                named.append(trimmed.map { $0 >= 65 && $0 <= 90 ? $0 | 0x20 : $0 })
            }
        }
        return named
    }

    private static func isDropped(_ name: UnsafeRawBufferPointer, named: [[UInt8]]) -> Bool {
        hopByHop.contains { equalsIgnoringCase(name, $0) } || named.contains { equalsIgnoringCase(name, $0) }
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

    /// One chunk of the chunked coding around `count` bytes.
    static func chunkPrefix(_ count: Int) -> [UInt8] {
        Array((String(count, radix: 16) + "\r\n").utf8)
    }

    static let chunkSuffix: [UInt8] = [13, 10]
    static let lastChunk: [UInt8] = Array("0\r\n\r\n".utf8)
}
