import HTTP1

/// The part of an access log line known when a request's head arrives,
/// copied (escaped, bounded) then, since the head is gone by the answer:
/// `ADDR - - [TIME] "REQUEST"` up to `split`, ` "REFERER" "USER-AGENT"`
/// after it. The answer's status, bytes and time go in between.
/// Kept in a slot of the access log and reused, so its bytes are not
/// allocated again for each request.
struct PendingLine {
    var bytes: [UInt8] = []
    var split = 0
    /// Whether it came from a parsed head (not one that failed to parse).
    var parsed = false

    /// Longest peer address or method copied (both are short when honest).
    static let shortLimit = 64

    /// Notes a parsed head's part of the line.
    mutating func begin(_ head: RequestHead, peer: [UInt8], time: [UInt8]) {
        bytes.removeAll(keepingCapacity: true)
        parsed = true
        Self.appendStart(peer: peer, time: time, to: &bytes)
        bytes.append(0x22)
        Self.appendMethod(head.method, to: &bytes)
        bytes.append(0x20)
        head.withTargetBytes { AccessLogText.appendEscaped($0, to: &bytes) }
        bytes.append(0x20)
        AccessLogText.appendStatic(head.version == .http10 ? "HTTP/1.0" : "HTTP/1.1", to: &bytes)
        bytes.append(0x22)
        split = bytes.count
        Self.appendQuoted(field: "referer", of: head, to: &bytes)
        Self.appendQuoted(field: "user-agent", of: head, to: &bytes)
    }

    /// Notes a head that never parsed: only the peer and the time are known.
    mutating func beginUnparsed(peer: [UInt8], time: [UInt8]) {
        bytes.removeAll(keepingCapacity: true)
        parsed = false
        Self.appendStart(peer: peer, time: time, to: &bytes)
        AccessLogText.appendStatic(#""-""#, to: &bytes)
        split = bytes.count
        AccessLogText.appendStatic(#" "-" "-""#, to: &bytes)
    }

    /// Appends the whole line: this part, `status`, `bodyBytes` ("-" when
    /// nil: a produced body of unknown length), the rest, the request time.
    func appendLine(status: Int, bodyBytes: Int?, milliseconds: Int, to line: inout [UInt8]) {
        bytes.withUnsafeBufferPointer { line.append(contentsOf: UnsafeBufferPointer(rebasing: $0[..<split])) }
        Self.appendMiddle(status: status, bodyBytes: bodyBytes, to: &line)
        bytes.withUnsafeBufferPointer { line.append(contentsOf: UnsafeBufferPointer(rebasing: $0[split...])) }
        Self.appendEnd(milliseconds: milliseconds, to: &line)
    }

    /// The line of an answer nothing is known of (no slot was free).
    static func appendUnknownLine(status: Int, bodyBytes: Int?, time: [UInt8], milliseconds: Int, to line: inout [UInt8]) {
        AccessLogText.appendStatic("- - - ", to: &line)
        line.append(contentsOf: time)
        line.append(0x20)
        AccessLogText.appendStatic(#""-""#, to: &line)
        appendMiddle(status: status, bodyBytes: bodyBytes, to: &line)
        AccessLogText.appendStatic(#" "-" "-""#, to: &line)
        appendEnd(milliseconds: milliseconds, to: &line)
    }

    /// The peer's address as the line writes it (escaped, bounded): the
    /// access log keeps the last one, the same for a connection's requests.
    static func peerBytes(_ peer: String) -> [UInt8] {
        var bytes: [UInt8] = []
        AccessLogText.appendEscaped(peer, to: &bytes, limit: shortLimit)
        return bytes
    }

    /// The usual methods as literals: a String's bytes cost ~500 instructions.
    private static func appendMethod(_ method: HTTPMethod, to bytes: inout [UInt8]) {
        switch method {
        case .GET: AccessLogText.appendStatic("GET", to: &bytes)
        case .HEAD: AccessLogText.appendStatic("HEAD", to: &bytes)
        case .PUT: AccessLogText.appendStatic("PUT", to: &bytes)
        case .POST: AccessLogText.appendStatic("POST", to: &bytes)
        case .DELETE: AccessLogText.appendStatic("DELETE", to: &bytes)
        default: AccessLogText.appendEscaped(method.description, to: &bytes, limit: shortLimit)
        }
    }

    private static func appendStart(peer: [UInt8], time: [UInt8], to bytes: inout [UInt8]) {
        bytes.append(contentsOf: peer)
        AccessLogText.appendStatic(" - - ", to: &bytes)  // no remote user
        bytes.append(contentsOf: time)
        bytes.append(0x20)
    }

    private static func appendMiddle(status: Int, bodyBytes: Int?, to line: inout [UInt8]) {
        line.append(0x20)
        AccessLogText.appendDecimal(status, to: &line)
        line.append(0x20)
        if let bodyBytes { AccessLogText.appendDecimal(bodyBytes, to: &line) } else { line.append(0x2D) }
    }

    private static func appendEnd(milliseconds: Int, to line: inout [UInt8]) {
        line.append(0x20)
        AccessLogText.appendSeconds(milliseconds: milliseconds, to: &line)
        line.append(0x0A)
    }

    /// ` "VALUE"` of the first field called `name`, or ` "-"`.
    private static func appendQuoted(field name: StaticString, of head: RequestHead, to bytes: inout [UInt8]) {
        var found = false
        bytes.append(0x20)
        bytes.append(0x22)
        head.headers.forEachRaw { fieldName, value in
            guard !found, Self.name(fieldName, is: name) else { return }
            found = true
            AccessLogText.appendEscaped(value, to: &bytes)
        }
        if !found { bytes.append(0x2D) }
        bytes.append(0x22)
    }

    /// Whether a field's name is `lowercased`, ignoring case.
    private static func name(_ name: UnsafeRawBufferPointer, is lowercased: StaticString) -> Bool {
        guard name.count == lowercased.utf8CodeUnitCount else { return false }
        let wanted = lowercased.utf8Start
        for index in 0..<name.count {
            let byte = name[index]
            if (byte >= 0x41 && byte <= 0x5A ? byte | 0x20 : byte) != wanted[index] { return false }
        }
        return true
    }
}
