import BlobProtocol
import EventCore
import HTTP1
#if canImport(Glibc)
import Glibc
#endif

/// A blob opened for reading: owns the descriptor until it is handed to the
/// HTTP server (`takeDescriptor()`, which sends it with sendfile and closes
/// it) or closed; either consumes it, so nothing can read a closed one.
/// Size, modification time and inode come from one fstat. A noncopyable
/// value rather than an object: one allocation and its reference counting
/// fewer on every GET.
public struct OpenBlob: ~Copyable {
    private var fd: Int32
    /// For the log only, should a read fail: the path is made then.
    private let location: BlobLocation
    public let size: Int
    public let modified: timespec
    private let inode: UInt64

    init(fd: Int32, location: BlobLocation) throws(StoreError) {
        var info = stat()
        do {
            try syscall("fstat(blob)") { fstat(fd, &info) }
        } catch {
            Glibc.close(fd)
            throw StoreError(error, path: location.path)
        }
        self.fd = fd
        self.location = location
        size = Int(info.st_size)
        modified = info.st_mtim
        inode = UInt64(info.st_ino)
    }

    /// The urlsafe base64 of the last 16 bytes (the whole blob if shorter):
    /// the AES-GCM tag Soledad clients check.
    public func tag() throws(StoreError) -> String {
        let length = min(16, size)
        var bytes = (UInt64(0), UInt64(0))  // 16 bytes on the stack
        let fd = self.fd
        let offset = size - length
        let got = try StoreError.syscall("pread(tag)", path: location.path) { pread(fd, &bytes, length, off_t(offset)) }
        return withUnsafeBytes(of: bytes) { Base64URL.encode($0.prefix(got)) }
    }

    /// The whole blob, read with one pread, when it is at most `limit`
    /// bytes: small blobs then go out with their head in one write.
    public func readAll(limit: Int) throws(StoreError) -> [UInt8]? {
        guard size <= limit else { return nil }
        let fd = self.fd
        let size = self.size
        var failure: SystemError?
        // Read straight into the array's storage: no zero-filling first.
        let bytes = [UInt8](unsafeUninitializedCapacity: size) { buffer, initialized in
            var count = 0
            do throws(SystemError) {
                while count < size {
                    let got = try syscall("pread(blob)") { pread(fd, buffer.baseAddress! + count, size - count, off_t(count)) }
                    if got == 0 { break }  // truncated under us: send what is there
                    count += got
                }
            } catch {
                failure = error
            }
            initialized = count
        }
        if let failure { throw StoreError(failure, path: location.path) }
        return bytes
    }

    /// A strong validator: changes whenever the file is replaced or touched.
    /// `"{inode}-{size}-{sec}.{nsec}"` in hex, written in place (no
    /// `String(_:radix:)`, interpolation or intermediate array on every GET).
    public var etag: String {
        ByteWriter.string(atMost: Self.etagBound) { writeETag(to: &$0) }
    }

    /// Two quotes, four 64-bit numbers in hex and three separators.
    public static let etagBound = 2 + 4 * ByteWriter.hexBound + 3

    /// The ETag written straight into a head (HTTPHeaders.append(name:valueAtMost:)).
    public func writeETag(to writer: inout ByteWriter) {
        writer.put(UInt8(ascii: "\""))
        writer.putHex(inode)
        writer.put(UInt8(ascii: "-"))
        writer.putHex(UInt64(size))
        writer.put(UInt8(ascii: "-"))
        writer.putHex(UInt64(bitPattern: Int64(modified.tv_sec)))
        writer.put(UInt8(ascii: "."))
        writer.putHex(UInt64(bitPattern: Int64(modified.tv_nsec)))
        writer.put(UInt8(ascii: "\""))
    }

    /// Hands the descriptor over; it is the caller's to close.
    public consuming func takeDescriptor() -> Int32 {
        let descriptor = fd
        fd = -1  // so that deinit, run as this value ends here, leaves it open
        return descriptor
    }

    public consuming func close() {}  // deinit closes

    deinit {
        if fd >= 0 { Glibc.close(fd) }
    }
}
