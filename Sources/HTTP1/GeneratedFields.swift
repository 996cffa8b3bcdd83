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

    /// The most bytes the fields add.
    var bound: Int {
        (dateLine?.count ?? 0) + 40 + ByteWriter.decimalBound + 24 + 2
    }

    /// The date line goes right after the start line, as nginx writes it.
    func writeLeading(to writer: inout ByteWriter) {
        if let dateLine { writer.put(dateLine) }
    }

    /// The framing fields go after the application's, then the empty line.
    func writeTrailing(to writer: inout ByteWriter) {
        if let contentLength {
            writer.put("Content-Length: ")
            writer.putDecimal(contentLength)
            writer.putCRLF()
        } else if chunked {
            writer.put("Transfer-Encoding: chunked\r\n")
        }
        switch connection {
        case .close?: writer.put("Connection: close\r\n")
        case .keepAlive?: writer.put("Connection: keep-alive\r\n")
        case nil: break
        }
        writer.putCRLF()
    }
}

/// What a `Connection` field tells the peer about the connection.
public enum ConnectionDirective: Sendable {
    case close
    /// Only needed towards HTTP/1.0 peers, for whom closing is the default.
    case keepAlive
}

extension Array where Element == UInt8 {
    mutating func appendCRLF() {
        append(ASCII.cr)
        append(ASCII.lf)
    }
}
