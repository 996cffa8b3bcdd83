import BlobProtocol
import EventCore
#if canImport(Glibc)
import Glibc
#endif

/// A blob opened for reading: owns the descriptor until it is handed to the
/// HTTP server (`takeDescriptor()`, which sends it with sendfile and closes
/// it) or closed. Size, modification time and inode come from one fstat.
public final class OpenBlob {
    private var fd: Int32
    /// For the log only, should a read fail.
    private let path: String
    public let size: Int
    public let modified: timespec
    private let inode: UInt64

    init(fd: Int32, path: String) throws(StoreError) {
        var info = stat()
        do {
            try syscall("fstat(blob)") { fstat(fd, &info) }
        } catch {
            Glibc.close(fd)
            throw StoreError(error, path: path)
        }
        self.fd = fd
        self.path = path
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
        let got = try StoreError.syscall("pread(tag)", path: path) { pread(fd, &bytes, length, off_t(offset)) }
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
        if let failure { throw StoreError(failure, path: path) }
        return bytes
    }

    /// A strong validator: changes whenever the file is replaced or touched.
    /// `"{inode}-{size}-{sec}.{nsec}"` in hex, written digit by digit into
    /// the String's storage (no `String(_:radix:)`, interpolation or
    /// intermediate array on every GET).
    public var etag: String {
        let (inode, size, modified) = (self.inode, UInt64(self.size), self.modified)
        return String(unsafeUninitializedCapacity: 2 + 4 * 16 + 3) { text in
            var at = 0
            func put(_ byte: UInt8) {
                text[at] = byte
                at += 1
            }
            func putHex(_ value: UInt64) {
                let digits = max(1, (64 - value.leadingZeroBitCount + 3) / 4)
                for shift in stride(from: (digits - 1) * 4, through: 0, by: -4) {
                    let nibble = UInt8((value >> UInt64(shift)) & 0xf)
                    put(nibble < 10 ? UInt8(ascii: "0") + nibble : UInt8(ascii: "a") + nibble - 10)
                }
            }
            put(UInt8(ascii: "\""))
            putHex(inode)
            put(UInt8(ascii: "-"))
            putHex(size)
            put(UInt8(ascii: "-"))
            putHex(UInt64(bitPattern: Int64(modified.tv_sec)))
            put(UInt8(ascii: "."))
            putHex(UInt64(bitPattern: Int64(modified.tv_nsec)))
            put(UInt8(ascii: "\""))
            return at
        }
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
