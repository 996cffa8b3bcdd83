#if canImport(Glibc)
import Glibc
#endif

/// A blob opened for reading: owns the descriptor until it is handed to the
/// HTTP server (`takeDescriptor()`, which sends it with sendfile and closes
/// it) or closed. Size, modification time and inode come from one fstat.
public final class OpenBlob {
    private var fd: Int32
    public let size: Int
    public let modified: timespec
    private let inode: UInt64

    init(fd: Int32) throws(StoreError) {
        var info = stat()
        if fstat(fd, &info) != 0 {
            let code = errno
            Glibc.close(fd)
            throw .system(call: "fstat(blob)", errno: code)
        }
        self.fd = fd
        size = Int(info.st_size)
        modified = info.st_mtim
        inode = UInt64(info.st_ino)
    }

    /// The urlsafe base64 of the last 16 bytes (the whole blob if shorter):
    /// the AES-GCM tag Soledad clients check.
    public func tag() throws(StoreError) -> String {
        let length = min(16, size)
        var bytes = [UInt8](repeating: 0, count: length)
        let fd = self.fd
        let offset = size - length
        var got = -1
        while got < 0 {
            got = bytes.withUnsafeMutableBytes { pread(fd, $0.baseAddress, length, off_t(offset)) }
            if got < 0 && errno != EINTR { throw .system(call: "pread(tag)", errno: errno) }
        }
        return Base64URL.encode(bytes[0..<got])
    }

    /// The whole blob, read with one pread, when it is at most `limit`
    /// bytes: small blobs then go out with their head in one write.
    public func readAll(limit: Int) throws(StoreError) -> [UInt8]? {
        guard size <= limit else { return nil }
        let fd = self.fd
        let size = self.size
        var failure: Int32 = 0
        // Read straight into the array's storage: no zero-filling first.
        let bytes = [UInt8](unsafeUninitializedCapacity: size) { buffer, initialized in
            var count = 0
            while count < size {
                let got = pread(fd, buffer.baseAddress! + count, size - count, off_t(count))
                if got < 0 && errno == EINTR { continue }
                if got < 0 { failure = errno; break }
                if got == 0 { break }  // truncated under us: send what is there
                count += got
            }
            initialized = count
        }
        if failure != 0 { throw .system(call: "pread(blob)", errno: failure) }
        return bytes
    }

    /// A strong validator: changes whenever the file is replaced or touched.
    public var etag: String {
        "\"\(String(inode, radix: 16))-\(String(size, radix: 16))-\(String(modified.tv_sec, radix: 16)).\(String(modified.tv_nsec, radix: 16))\""
    }

    /// Hands the descriptor over; this object no longer closes it.
    public func takeDescriptor() -> Int32 {
        let descriptor = fd
        fd = -1
        return descriptor
    }

    public func close() {
        if fd >= 0 { Glibc.close(fd) }
        fd = -1
    }

    deinit {
        close()
    }
}

/// RFC 4648's urlsafe base64, with padding (24 characters for 16 bytes).
public enum Base64URL {
    private static let alphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_".utf8)

    public static func encode<C: Collection>(_ bytes: C) -> String where C.Element == UInt8 {
        var output: [UInt8] = []
        output.reserveCapacity((bytes.count + 2) / 3 * 4)
        var iterator = bytes.makeIterator()
        while let first = iterator.next() {
            let second = iterator.next(), third = iterator.next()
            let value = UInt32(first) << 16 | UInt32(second ?? 0) << 8 | UInt32(third ?? 0)
            output.append(alphabet[Int(value >> 18 & 63)])
            output.append(alphabet[Int(value >> 12 & 63)])
            output.append(second == nil ? UInt8(ascii: "=") : alphabet[Int(value >> 6 & 63)])
            output.append(third == nil ? UInt8(ascii: "=") : alphabet[Int(value & 63)])
        }
        return String(decoding: output, as: UTF8.self)
    }
}
