import EventCore
#if canImport(Glibc)
import Glibc
#endif

/// The small file-system helpers the store is built from.
extension BlobStore {
    static func exists(_ path: String) -> Bool {
        var info = stat()
        return CPath.with(path) { stat($0, &info) } == 0
    }

    /// `mkdir -p`, safe against other workers creating the same
    /// directories; returns the directories this call created, outermost
    /// first. Deepest first: the directory itself is tried, and only when
    /// its parent is missing (ENOENT) is the parent made, and so on up, so
    /// a new prefix under an existing namespace costs one `mkdir`, not one
    /// per component from `/` down.
    @discardableResult
    static func makeDirectories(_ path: String) throws(StoreError) -> [String] {
        do {
            try syscall("mkdir") { mkdir(path, 0o755) }
            return [path]
        } catch where error.errno == EEXIST {
            return []
        } catch where error.errno == ENOENT {
            let parent = Self.parent(of: path)
            guard parent != path else { throw StoreError(error, path: path) }
            let created = try makeDirectories(parent)
            do {
                try syscall("mkdir") { mkdir(path, 0o755) }
                return created + [path]
            } catch where error.errno == EEXIST {
                return created  // another worker made it meanwhile
            } catch {
                throw StoreError(error, path: path)
            }
        } catch {
            throw StoreError(error, path: path)
        }
    }

    /// `mkdir -p` for a blob's directory; with --fsync each level made is
    /// synced into its parent, so a power loss cannot drop the path to a
    /// blob that was answered 200.
    func makeDirectories(_ path: String) throws(StoreError) {
        for directory in try Self.makeDirectories(path) {
            try syncDirectory(Self.parent(of: directory))
        }
    }

    static func parent(of path: String) -> String {
        guard let slash = path.lastIndex(of: "/") else { return "." }
        return slash == path.startIndex ? "/" : String(path[..<slash])
    }

    static func writeAll(_ fd: Int32, _ bytes: [UInt8], path: @autoclosure () -> String) throws(StoreError) {
        // withUnsafeBytes only rethrows untyped errors: carry ours out by hand.
        var failure: StoreError?
        bytes.withUnsafeBytes { buffer in
            do throws(StoreError) { try writeAll(fd, buffer, path: path()) } catch { failure = error }
        }
        if let failure { throw failure }
    }

    /// `path` is made only on failure: it is for the log, and this runs
    /// for every piece of every upload.
    static func writeAll(_ fd: Int32, _ bytes: UnsafeRawBufferPointer, path: @autoclosure () -> String) throws(StoreError) {
        var offset = 0
        while offset < bytes.count {
            do {
                offset += try syscall("write") { write(fd, bytes.baseAddress! + offset, bytes.count - offset) }
            } catch {
                throw StoreError(error, path: path())
            }
        }
    }

    /// The contents of a file of at most 1 MiB, or nil if it does not exist.
    /// A file replaced by a rename (flags) can leave a network file system's
    /// open handle stale (ESTALE from open, fstat or read, seen on
    /// GlusterFS): the name is opened again, a few times, and then reads
    /// the new file.
    static func readSmallFile(_ path: String) throws(StoreError) -> [UInt8]? {
        var attempt = 1
        while true {
            do {
                return try readSmallFileOnce(path)
            } catch {
                guard case .system(_, ESTALE, _) = error, attempt < staleRetries else { throw error }
                attempt += 1
            }
        }
    }

    /// Opens of a name that keep failing with ESTALE before it is an error.
    static let staleRetries = 4

    private static func readSmallFileOnce(_ path: String) throws(StoreError) -> [UInt8]? {
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

    /// With --fsync: makes the file open on `fd` durable; a failure is an
    /// error (500, or 507 for ENOSPC/EDQUOT), never ignored.
    /// `path` is made only when the sync runs: it is for the log.
    func sync(_ fd: Int32, _ call: String, path: @autoclosure () -> String) throws(StoreError) {
        guard case .powerLoss(let sync) = durability else { return }
        try StoreError.syscall(call, path: path()) { sync(fd) }
    }

    /// With --fsync: makes the directory's entries durable (after a link,
    /// rename, unlink or mkdir in it).
    func syncDirectory(_ path: String) throws(StoreError) {
        guard case .powerLoss = durability else { return }
        let fd = try StoreError.syscall("open(directory)", path: path) { Glibc.open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC) }
        defer { Glibc.close(fd) }
        try sync(fd, "fsync(directory)", path: path)
    }
}
