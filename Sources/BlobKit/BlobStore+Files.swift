#if canImport(Glibc)
import Glibc
#endif

/// The small file-system helpers the store is built from.
extension BlobStore {
    static func exists(_ path: String) -> Bool {
        var info = stat()
        return stat(path, &info) == 0
    }

    /// `mkdir -p`, safe against other workers creating the same directories.
    static func makeDirectories(_ path: String) throws(StoreError) {
        if exists(path) { return }
        var prefix = path.hasPrefix("/") ? "" : "."
        for component in path.split(separator: "/") {
            prefix += "/" + component
            if mkdir(prefix, 0o755) != 0 && errno != EEXIST {
                throw .system(call: "mkdir(\(prefix))", errno: errno)
            }
        }
    }

    static func writeAll(_ fd: Int32, _ bytes: [UInt8]) throws(StoreError) {
        var offset = 0
        while offset < bytes.count {
            let written = bytes.withUnsafeBytes { write(fd, $0.baseAddress! + offset, $0.count - offset) }
            if written < 0 {
                if errno == EINTR { continue }
                throw .system(call: "write", errno: errno)
            }
            offset += written
        }
    }

    static func writeAll(_ fd: Int32, _ bytes: UnsafeRawBufferPointer) throws(StoreError) {
        var offset = 0
        while offset < bytes.count {
            let written = try storeCall("write") { write(fd, bytes.baseAddress! + offset, bytes.count - offset) }
            offset += written
        }
    }

    /// The contents of a file of at most 1 MiB, or nil if it does not exist.
    static func readSmallFile(_ path: String) throws(StoreError) -> [UInt8]? {
        let fd = Glibc.open(path, O_RDONLY | O_CLOEXEC)
        if fd < 0 {
            if errno == ENOENT { return nil }
            throw .system(call: "open(\(path))", errno: errno)
        }
        defer { Glibc.close(fd) }
        var info = stat()
        try storeCall("fstat") { fstat(fd, &info) }
        var bytes = [UInt8](repeating: 0, count: min(Int(info.st_size) + 1, 1 << 20))
        var count = 0
        while count < bytes.count {
            let got = bytes.withUnsafeMutableBytes { read(fd, $0.baseAddress! + count, $0.count - count) }
            if got < 0 {
                if errno == EINTR { continue }
                throw .system(call: "read", errno: errno)
            }
            if got == 0 { break }
            count += got
        }
        return Array(bytes[0..<count])
    }

    /// Makes a directory entry durable (after link or rename).
    static func syncDirectory(_ path: String) {
        let fd = Glibc.open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        guard fd >= 0 else { return }
        _ = Glibc.fsync(fd)
        Glibc.close(fd)
    }
}
