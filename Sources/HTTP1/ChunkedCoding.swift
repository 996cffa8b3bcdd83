/// The sending side of the chunked transfer coding (RFC 9112 section 7.1):
/// each piece of a body whose length is unknown up front goes out as its
/// size in hex, CRLF, the bytes, CRLF; `0` CRLF CRLF ends the body. A body
/// cut short lacks that last chunk, which is how a receiver tells an
/// answer that failed midway from a complete one.
public enum ChunkedCoding {
    /// Ends a chunked body (no trailer fields).
    public static let lastChunk: [UInt8] = Array("0\r\n\r\n".utf8)
    /// Follows each chunk's bytes.
    public static let chunkEnd: [UInt8] = [ASCII.cr, ASCII.lf]

    /// Appends the line that opens a chunk of `size` (> 0) bytes.
    public static func appendChunkHeader(size: Int, to bytes: inout [UInt8]) {
        precondition(size > 0, "an empty chunk would end the body")
        let digits: [UInt8] = Array("0123456789abcdef".utf8)
        var shift = (Int.bitWidth - size.leadingZeroBitCount - 1) / 4 * 4
        while shift >= 0 {
            bytes.append(digits[(size >> shift) & 15])
            shift -= 4
        }
        bytes.appendCRLF()
    }
}
