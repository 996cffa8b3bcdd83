/// The fields a sender generates itself when it writes a head, rather than
/// taking them from the application: a cached `Date` line, the body's
/// `Content-Length` and the `Connection` directive. Written by
/// `ResponseHead.serialize(into:adding:)` and
/// `RequestHead.serialize(into:adding:)` with no String made (the length
/// goes in as digits), so a server's hot path stays allocation-free.
public struct GeneratedFields: Sendable {
    /// A whole `Date: ...\r\n` line, formatted once a second by the caller.
    public var dateLine: [UInt8]?
    public var contentLength: Int?
    /// `Transfer-Encoding: chunked`: a body whose length is not known when
    /// the head goes out (never together with `contentLength`).
    public var chunked: Bool
    public var connection: ConnectionDirective?

    public init(dateLine: [UInt8]? = nil, contentLength: Int? = nil, chunked: Bool = false,
                connection: ConnectionDirective? = nil) {
        self.dateLine = dateLine
        self.contentLength = contentLength
        self.chunked = chunked
        self.connection = connection
    }

    /// The date line goes right after the start line, as nginx writes it.
    func serializeLeading(into bytes: inout [UInt8]) {
        if let dateLine { bytes.append(contentsOf: dateLine) }
    }

    /// The framing fields go after the application's, then the empty line.
    func serializeTrailing(into bytes: inout [UInt8]) {
        if let contentLength {
            bytes.append(static: "Content-Length: ")
            bytes.appendDecimal(contentLength)
            bytes.appendCRLF()
        } else if chunked {
            bytes.append(static: "Transfer-Encoding: chunked\r\n")
        }
        switch connection {
        case .close?: bytes.append(static: "Connection: close\r\n")
        case .keepAlive?: bytes.append(static: "Connection: keep-alive\r\n")
        case nil: break
        }
        bytes.appendCRLF()
    }
}

/// What a `Connection` field tells the peer about the connection.
public enum ConnectionDirective: Sendable {
    case close
    /// Only needed towards HTTP/1.0 peers, for whom closing is the default.
    case keepAlive
}

extension Array where Element == UInt8 {
    /// Appends a literal's bytes (no String, no allocation beyond growth).
    mutating func append(static text: StaticString) {
        text.withUTF8Buffer { append(contentsOf: $0) }
    }

    mutating func appendCRLF() {
        append(ASCII.cr)
        append(ASCII.lf)
    }

    /// Appends a non-negative integer as decimal digits.
    mutating func appendDecimal(_ value: Int) {
        precondition(value >= 0, "negative length")
        var divisor = 1
        while divisor <= value / 10 { divisor *= 10 }
        while divisor > 0 {
            append(UInt8(truncatingIfNeeded: 0x30 + value / divisor % 10))
            divisor /= 10
        }
    }
}
