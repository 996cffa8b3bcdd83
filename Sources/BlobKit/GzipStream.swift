import CZlib

/// gzip compression of a body made piece by piece: one z_stream kept across
/// the pieces (so the result is one gzip member, as good as compressing the
/// whole at once), each piece's input deflated as it comes and whatever
/// zlib emits handed out at once. Holds zlib's state (~256 KiB at level 6)
/// until `close()`. Used by one thread at a time.
final class GzipStream {
    /// zlib keeps a pointer back to its z_stream: it must never move.
    private let stream: UnsafeMutablePointer<z_stream>
    private var isOpen: Bool

    /// Nil if zlib cannot start (out of memory).
    init?(level: Int32 = 6) {
        stream = .allocate(capacity: 1)
        stream.initialize(to: z_stream())
        isOpen = czlib_deflate_init_gzip(stream, level) == Z_OK
        if !isOpen {
            stream.deallocate()
            return nil
        }
    }

    /// Deflates `input` and appends what zlib emits to `output`; `finish`
    /// ends the gzip member (the trailer follows). False if zlib failed.
    func compress(_ input: [UInt8], finish: Bool, into output: inout [UInt8]) -> Bool {
        guard isOpen else { return false }
        var source = input
        return source.withUnsafeMutableBytes { inBytes in
            stream.pointee.next_in = inBytes.baseAddress?.assumingMemoryBound(to: Bytef.self)
            stream.pointee.avail_in = uInt(inBytes.count)
            var room = [UInt8](repeating: 0, count: 32 * 1024)
            while true {
                let (status, made) = room.withUnsafeMutableBytes { outBytes in
                    stream.pointee.next_out = outBytes.baseAddress?.assumingMemoryBound(to: Bytef.self)
                    stream.pointee.avail_out = uInt(outBytes.count)
                    let status = deflate(stream, finish ? Z_FINISH : Z_NO_FLUSH)
                    return (status, outBytes.count - Int(stream.pointee.avail_out))
                }
                output.append(contentsOf: room[0..<made])
                if finish && status == Z_STREAM_END { return true }
                guard status == Z_OK || status == Z_BUF_ERROR else { return false }
                // More output can come only while zlib filled all the room.
                if !finish && stream.pointee.avail_out != 0 { return true }
            }
        }
    }

    /// Frees zlib's state.
    func close() {
        guard isOpen else { return }
        isOpen = false
        deflateEnd(stream)
        stream.deallocate()
    }

    deinit {
        // Not an assertion: a listing dropped with a stopping worker ends here.
        close()
    }
}
