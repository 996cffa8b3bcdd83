import EventCore
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
            do {
                try syscall("mkdir") { mkdir(prefix, 0o755) }
            } catch where error.errno == EEXIST {
                continue
            } catch {
                throw StoreError(error, path: prefix)
            }
        }
    }

    static func writeAll(_ fd: Int32, _ bytes: [UInt8], path: String) throws(StoreError) {
        // withUnsafeBytes only rethrows untyped errors: carry ours out by hand.
        var failure: StoreError?
        bytes.withUnsafeBytes { buffer in
            do throws(StoreError) { try writeAll(fd, buffer, path: path) } catch { failure = error }
        }
        if let failure { throw failure }
    }

    static func writeAll(_ fd: Int32, _ bytes: UnsafeRawBufferPointer, path: String) throws(StoreError) {
        var offset = 0
        while offset < bytes.count {
            offset += try StoreError.syscall("write", path: path) { write(fd, bytes.baseAddress! + offset, bytes.count - offset) }
        }
    }

    /// The contents of a file of at most 1 MiB, or nil if it does not exist.
    static func readSmallFile(_ path: String) throws(StoreError) -> [UInt8]? {
        let fd: Int32
        do {
            fd = try syscall("open") { Glibc.open(path, O_RDONLY | O_CLOEXEC) }
        } catch where error.errno == ENOENT {
            return nil
        } catch {
            throw StoreError(error, path: path)
        }
        defer { Glibc.close(fd) }
        var info = stat()
        try StoreError.syscall("fstat", path: path) { fstat(fd, &info) }
        let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: min(Int(info.st_size) + 1, 1 << 20), alignment: 1)
        defer { buffer.deallocate() }
        var count = 0
        while count < buffer.count {
            let got = try StoreError.syscall("read", path: path) { read(fd, buffer.baseAddress! + count, buffer.count - count) }
            if got == 0 { break }
            count += got
        }
        return Array(UnsafeRawBufferPointer(rebasing: buffer[0..<count]))
    }

    /// Makes a directory entry durable (after link or rename).
    static func syncDirectory(_ path: String) {
        let fd = Glibc.open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        guard fd >= 0 else { return }
        _ = Glibc.fsync(fd)
        Glibc.close(fd)
    }
}
