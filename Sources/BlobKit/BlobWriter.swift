import BlobProtocol
import EventCore
#if canImport(Glibc)
import Glibc
#endif

/// One blob being written: owns the temporary file's descriptor. `commit()`
/// publishes it with one link (EEXIST: another writer won, 409); `abort()`
/// drops it. Exactly one of the two happens; nothing partial is ever
/// visible under the blob's name. An unnamed (`O_TMPFILE`) file is linked
/// with `linkat` through `/proc/self/fd` while still open, and vanishes by
/// itself if the process dies; a named one is linked after `close()` and
/// unlinked afterwards. With a quota, `commit()` links under the user's
/// usage lock and checks the ledger first (BlobStore+Quota): commits of
/// every worker queue there, so only the blob that crosses the quota
/// overshoots it (API.md's bound).
public final class BlobWriter {
    private var fd: Int32
    private let staged: StagedFile
    private let directory: String
    /// Where the blob is published: `directory/{id}`.
    private let finalPath: String
    /// Set when the store has a quota: the user to check.
    private let quotaUser: BlobName?
    /// The store again, to sync and to tell a lost link race against our own key.
    private let store: BlobStore
    private let key: IdempotencyKey?
    private var finished = false
    /// Bytes written so far: the size the usage ledger is told at commit.
    private var written = 0

    init(fd: Int32, staged: StagedFile, directory: String, finalPath: String,
         quotaUser: BlobName?, store: BlobStore, key: IdempotencyKey?) {
        self.store = store
        self.key = key
        self.fd = fd
        self.staged = staged
        self.directory = directory
        self.finalPath = finalPath
        self.quotaUser = quotaUser
    }

    public func write(_ bytes: UnsafeRawBufferPointer) throws(StoreError) {
        precondition(!finished, "write after commit or abort")
        try BlobStore.writeAll(fd, bytes, path: staged.description)
        written += bytes.count
    }

    /// Publishes the blob under its id and removes its tombstone, if any.
    /// `exists` (409) if another writer published the id first,
    /// `quotaExceeded` (507) if the user's published bytes reached the
    /// quota meanwhile; either way the temporary file is gone. Steps
    /// (CrashPoint): 1. linked (the blob is live; a tombstone still next to
    /// it means nothing); 2. the old tombstone is gone. With --fsync the
    /// data is synced before the link and the directory after each step;
    /// a failing sync is an error even after the link (the client may retry:
    /// 409, or 200 with the same Idempotency-Key). With a quota, the ledger
    /// is checked and marked pending (step `quota:1`) before the link and
    /// settled after the last step and sync, so a crash at `put:1` or
    /// `put:2` leaves it pending: the next worker walks once.
    public func commit() throws(StoreError) {
        precondition(!finished, "commit twice")
        defer { finish() }
        try store.sync(fd, "fsync(blob)", path: staged.description)
        // With a quota the data is synced first: the usage lock covers the link and what follows.
        var usage: UsageChange?
        if let quotaUser { usage = try store.beginUsageChange(quotaUser, enforcingQuota: true) { written } }
        var outcome = UsageChange.Outcome.unknown  // a close failing after the link leaves it so
        defer { usage?.settle(outcome) }
        let failure = try link()
        outcome = failure == nil ? .applied : .notApplied
        if let failure {
            guard failure.errno == EEXIST else { throw StoreError(failure, path: finalPath) }
            // Another writer won; or a retry of ours that an earlier attempt, still in flight, beat.
            throw store.wasMade(by: key, at: finalPath) ? .alreadyDone : .exists
        }
        store.crashPoint.reached(.put, step: 1)
        _ = CPath.with(finalPath, suffix: ".deleted") { unlink($0) }
        store.crashPoint.reached(.put, step: 2)
        try store.syncDirectory(directory)
    }

    /// Drops the temporary file; safe to call more than once.
    public func abort() {
        guard !finished else { return }
        finish()
    }

    private func finish() {
        finished = true
        if fd >= 0 { Glibc.close(fd); fd = -1 }
        if case .named(let path) = staged { _ = CPath.with(path) { unlink($0) } }
    }

    /// Links the temporary file as `finalPath` and closes it; the link's
    /// failure is returned (EEXIST is a lost race), a failed close thrown.
    private func link() throws(StoreError) -> SystemError? {
        var failure: SystemError?
        let (fd, finalPath) = (self.fd, self.finalPath)
        switch staged {
        case .unnamed:
            do throws(SystemError) {
                try syscall("linkat(blob)") {
                    CPath.withDescriptor(fd) { source in
                        CPath.with(finalPath) { linkat(AT_FDCWD, source, AT_FDCWD, $0, AT_SYMLINK_FOLLOW) }
                    }
                }
            } catch {
                failure = error
            }
            try closeDescriptor()
        case .named(let path):
            try closeDescriptor()
            do throws(SystemError) {
                try syscall("link(blob)") { CPath.with(path) { source in CPath.with(finalPath) { Glibc.link(source, $0) } } }
            } catch {
                failure = error
            }
        }
        return failure
    }

    private func closeDescriptor() throws(StoreError) {
        let descriptor = fd
        fd = -1
        // close() is not retried: on Linux the descriptor is gone even after EINTR.
        if Glibc.close(descriptor) != 0 && errno != EINTR {
            throw .system(call: "close(blob)", errno: errno, path: staged.description)
        }
    }

    deinit {
        // A writer dropped on an error path must not leave its temporary file.
        if !finished { finish() }
    }
}
