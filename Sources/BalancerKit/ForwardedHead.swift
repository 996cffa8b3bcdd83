import HTTP1

/// How heads change on their way through http mode: hop-by-hop fields go
/// (Connection, Keep-Alive, Proxy-Connection, TE, Trailer, Upgrade, and
/// every field Connection names), framing is rewritten to how we relay the
/// body, and X-Forwarded-For gains the client's address.
public enum ForwardedHead {
    static let hopByHop: Set<String> = [
        "connection", "keep-alive", "proxy-connection", "te", "trailer", "upgrade",
        "transfer-encoding", "content-length", "expect",
    ]

    /// The fields of `headers` that may cross the proxy.
    public static func endToEnd(_ headers: HTTPHeaders) -> HTTPHeaders {
        var dropped = hopByHop
        for value in headers.values("connection") {
            for token in value.split(separator: ",") { dropped.insert(token.trimmingCharacters(in: " ").lowercased()) }
        }
        var kept = HTTPHeaders()
        for (name, value) in headers where !dropped.contains(name.lowercased()) {
            kept.append(name: name, value: value)
        }
        return kept
    }

    /// The request as the backend gets it (always kept alive).
    public static func request(_ head: RequestHead, clientAddress: String) -> [UInt8] {
        var headers = endToEnd(head.headers)
        let forwarded = head.headers.values("x-forwarded-for")
        headers.remove(name: "X-Forwarded-For")
        headers.append(name: "X-Forwarded-For", value: (forwarded + [clientAddress]).joined(separator: ", "))
        switch head.framing {
        case .length(let length): headers.append(name: "Content-Length", value: "\(length)")
        case .chunked: headers.append(name: "Transfer-Encoding", value: "chunked")
        case .none, .untilClose: break
        }
        var bytes: [UInt8] = []
        bytes.reserveCapacity(256)
        RequestHead(method: head.method, target: head.target, version: .http11, headers: headers).serialize(into: &bytes)
        return bytes
    }

    /// The response as the client gets it; `keepAlive` says whether the
    /// client connection stays open after it.
    public static func response(_ head: ResponseHead, backend: String, keepAlive: Bool, clientVersion: HTTPVersion) -> [UInt8] {
        var headers = endToEnd(head.headers)
        switch head.framing {
        case .length(let length): headers.append(name: "Content-Length", value: "\(length)")
        case .chunked: headers.append(name: "Transfer-Encoding", value: "chunked")
        case .none:
            if head.status >= 200 && head.status != 204 && head.status != 304 {
                headers.append(name: "Content-Length", value: head.headers["content-length"] ?? "0")
            }
        case .untilClose: break
        }
        headers.append(name: "X-Backend", value: backend)
        if !keepAlive { headers.append(name: "Connection", value: "close") } else if clientVersion == .http10 {
            headers.append(name: "Connection", value: "keep-alive")
        }
        var bytes: [UInt8] = []
        bytes.reserveCapacity(256)
        ResponseHead(status: head.status, reason: head.reason.isEmpty ? nil : head.reason, version: .http11, headers: headers)
            .serialize(into: &bytes)
        return bytes
    }

    /// One chunk of the chunked coding around `bytes`.
    static func chunk(_ bytes: UnsafeRawBufferPointer) -> (prefix: [UInt8], suffix: [UInt8]) {
        (Array((String(bytes.count, radix: 16) + "\r\n").utf8), [13, 10])
    }

    static let lastChunk: [UInt8] = Array("0\r\n\r\n".utf8)
}

extension StringProtocol {
    func trimmingCharacters(in character: Character) -> String {
        var slice = Substring(self)
        while slice.first == character { slice.removeFirst() }
        while slice.last == character { slice.removeLast() }
        return String(slice)
    }
}
