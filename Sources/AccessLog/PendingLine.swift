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
    mutating func begin(_ head: RequestHead, peer: String, time: [UInt8]) {
        bytes.removeAll(keepingCapacity: true)
        parsed = true
        Self.appendStart(peer: peer, time: time, to: &bytes)
        bytes.append(0x22)
        AccessLogText.appendEscaped(head.method.description, to: &bytes, limit: Self.shortLimit)
        bytes.append(0x20)
        head.withTargetBytes { AccessLogText.appendEscaped($0, to: &bytes) }
        bytes.append(0x20)
        bytes.append(contentsOf: head.version == .http10 ? Self.http10 : Self.http11)
        bytes.append(0x22)
        split = bytes.count
        Self.appendQuoted(field: "referer", of: head, to: &bytes)
        Self.appendQuoted(field: "user-agent", of: head, to: &bytes)
    }

    /// Notes a head that never parsed: only the peer and the time are known.
    mutating func beginUnparsed(peer: String, time: [UInt8]) {
        bytes.removeAll(keepingCapacity: true)
        parsed = false
        Self.appendStart(peer: peer, time: time, to: &bytes)
        bytes.append(contentsOf: Self.dashQuoted)
        split = bytes.count
        bytes.append(contentsOf: Self.twoDashes)
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
        line.append(contentsOf: [0x2D, 0x20, 0x2D, 0x20, 0x2D, 0x20])
        line.append(contentsOf: time)
        line.append(0x20)
        line.append(contentsOf: dashQuoted)
        appendMiddle(status: status, bodyBytes: bodyBytes, to: &line)
        line.append(contentsOf: twoDashes)
        appendEnd(milliseconds: milliseconds, to: &line)
    }

    private static func appendStart(peer: String, time: [UInt8], to bytes: inout [UInt8]) {
        AccessLogText.appendEscaped(peer, to: &bytes, limit: shortLimit)
        bytes.append(contentsOf: [0x20, 0x2D, 0x20, 0x2D, 0x20])  // " - - ": no remote user
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

    static let http10 = Array("HTTP/1.0".utf8)
    static let http11 = Array("HTTP/1.1".utf8)
    static let dashQuoted: [UInt8] = [0x22, 0x2D, 0x22]  // "-"
    static let twoDashes = Array(#" "-" "-""#.utf8)
}
