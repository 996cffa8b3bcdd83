#if canImport(Glibc)
import Glibc
#endif

/// One blob being written: owns the temporary file's descriptor. `commit()`
/// publishes it with one `link()` (EEXIST: another writer won, 409);
/// `abort()` removes it. Exactly one of the two happens; nothing partial is
/// ever visible under the blob's name.
public final class BlobWriter {
    private var fd: Int32
    private let temporaryPath: String
    private let directory: String
    private let id: BlobName
    private let fsync: Bool
    private var finished = false
    public private(set) var bytesWritten = 0

    init(fd: Int32, temporaryPath: String, directory: String, id: BlobName, fsync: Bool) {
        self.fd = fd
        self.temporaryPath = temporaryPath
        self.directory = directory
        self.id = id
        self.fsync = fsync
    }

    public func write(_ bytes: UnsafeRawBufferPointer) throws(StoreError) {
        precondition(!finished, "write after commit or abort")
        try BlobStore.writeAll(fd, bytes)
        bytesWritten += bytes.count
    }

    /// Publishes the blob under its id and removes its tombstone, if any.
    public func commit() throws(StoreError) {
        precondition(!finished, "commit twice")
        defer { finish() }
        if fsync { try storeCall("fsync(blob)") { Glibc.fsync(fd) } }
        try closeDescriptor()
        let finalPath = directory + "/" + id.value
        if link(temporaryPath, finalPath) != 0 {
            let code = errno
            throw code == EEXIST ? .exists : .system(call: "link(blob)", errno: code)
        }
        _ = unlink(directory + "/" + id.value + ".deleted")
        if fsync { BlobStore.syncDirectory(directory) }
    }

    /// Drops the temporary file; safe to call more than once.
    public func abort() {
        guard !finished else { return }
        finish()
    }

    private func finish() {
        finished = true
        if fd >= 0 { Glibc.close(fd); fd = -1 }
        _ = unlink(temporaryPath)
    }

    private func closeDescriptor() throws(StoreError) {
        let descriptor = fd
        fd = -1
        if Glibc.close(descriptor) != 0 && errno != EINTR { throw .system(call: "close(blob)", errno: errno) }
    }

    deinit {
        // A writer dropped on an error path must not leave its temporary file.
        if !finished { finish() }
    }
}
