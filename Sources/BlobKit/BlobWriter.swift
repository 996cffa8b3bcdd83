import BlobProtocol
import EventCore
#if canImport(Glibc)
import Glibc
#endif

/// One blob being written: owns the temporary file's descriptor. `commit()`
/// publishes it with one `link()` (EEXIST: another writer won, 409);
/// `abort()` removes it. Exactly one of the two happens; nothing partial is
/// ever visible under the blob's name. With a quota, `commit()` checks it
/// again just before `link()`: commits on one worker run one at a time, so
/// only commits racing on other workers can overshoot (API.md's bound).
public final class BlobWriter {
    private var fd: Int32
    private let temporaryPath: String
    private let directory: String
    private let id: BlobName
    private let fsync: Bool
    /// Set when the store has a quota: the user to check.
    private let quotaUser: BlobName?
    /// The store again, to tell a lost `link()` race against our own key.
    private let store: BlobStore
    private let key: IdempotencyKey?
    private var finished = false

    init(fd: Int32, temporaryPath: String, directory: String, id: BlobName, fsync: Bool,
         quotaUser: BlobName?, store: BlobStore, key: IdempotencyKey?) {
        self.store = store
        self.key = key
        self.fd = fd
        self.temporaryPath = temporaryPath
        self.directory = directory
        self.id = id
        self.fsync = fsync
        self.quotaUser = quotaUser
    }

    public func write(_ bytes: UnsafeRawBufferPointer) throws(StoreError) {
        precondition(!finished, "write after commit or abort")
        try BlobStore.writeAll(fd, bytes, path: temporaryPath)
    }

    /// Publishes the blob under its id and removes its tombstone, if any.
    /// `exists` (409) if another writer published the id first,
    /// `quotaExceeded` (507) if the user's published bytes reached the
    /// quota meanwhile; either way the temporary file is gone.
    public func commit() throws(StoreError) {
        precondition(!finished, "commit twice")
        defer { finish() }
        if let quotaUser, try store.isOverQuota(quotaUser) { throw .quotaExceeded }
        if fsync { try StoreError.syscall("fsync(blob)", path: temporaryPath) { Glibc.fsync(fd) } }
        try closeDescriptor()
        let finalPath = directory + "/" + id.value
        do {
            try syscall("link(blob)") { link(temporaryPath, finalPath) }
        } catch where error.errno == EEXIST {
            // A retry of ours that an earlier attempt, still in flight, beat.
            throw store.wasMade(by: key, at: finalPath) ? .alreadyDone : .exists
        } catch {
            throw StoreError(error, path: finalPath)
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
        // close() is not retried: on Linux the descriptor is gone even after EINTR.
        if Glibc.close(descriptor) != 0 && errno != EINTR {
            throw .system(call: "close(blob)", errno: errno, path: temporaryPath)
        }
    }

    deinit {
        // A writer dropped on an error path must not leave its temporary file.
        if !finished { finish() }
    }
}
