import BlobProtocol
import EventCore
#if canImport(Glibc)
import Glibc
#endif

/// How a listing is ordered: by the blob file's modification time.
public enum ListOrder: Sendable {
    case none, dateAscending, dateDescending
}

/// The blobs of every user on the file system, in Soledad's layout:
/// `ROOT/{user}/{namespace}/{id[0:1]}/{id[0:3]}/{id[0:6]}/{id}` plus
/// `{id}.flags` and `{id}.deleted`. Every cross-process guarantee rests on
/// the file system: a blob is written to a temporary file and published
/// with one `link()` (exactly one of two racing writers wins), flags are
/// replaced with one `rename()`; nothing is ever written in place.
///
/// Listings run on a background thread; they read only `root`, which never
/// changes, so the store may be shared with it (hence `@unchecked Sendable`).
public final class BlobStore: @unchecked Sendable {
    public let root: String
    let fsync: Bool
    let quota: Int?
    private let tempTag: String
    private var tempCounter = 0
    /// Whether idempotency keys can be recorded (user extended attributes).
    public let keysSupported: Bool

    public init(root: String, fsync: Bool, quota: Int?) throws(StoreError) {
        self.root = root.hasSuffix("/") && root.count > 1 ? String(root.dropLast()) : root
        self.fsync = fsync
        self.quota = quota
        tempTag = "\(getpid())-\(UInt32.random(in: 0...UInt32.max))"
        try Self.makeDirectories(self.root)
        keysSupported = Self.probeKeySupport(root: self.root, tag: tempTag)
    }

    // MARK: paths

    func directory(_ user: BlobName, _ namespace: BlobName, _ id: BlobName) -> String {
        let id = id.value
        return "\(root)/\(user.value)/\(namespace.value)/\(id.prefix(1))/\(id.prefix(3))/\(id.prefix(6))"
    }

    /// A name no other writer, in any process or on any host, will pick;
    /// the leading dot keeps it out of every listing.
    func temporaryName(for id: BlobName, suffix: String = "") -> String {
        tempCounter += 1
        return ".\(id.value)\(suffix).\(tempTag)-\(tempCounter)"
    }

    // MARK: blobs

    /// Starts writing a new blob: `exists` (409) or `quotaExceeded` (507)
    /// before any byte is read, else a writer on a fresh temporary file.
    /// `key`, if given, is recorded with the blob; a blob already made with
    /// the same key is `alreadyDone` (the original 200) rather than `exists`.
    public func beginWrite(user: BlobName, namespace: BlobName, id: BlobName, key: IdempotencyKey? = nil) throws(StoreError) -> BlobWriter {
        let directory = directory(user, namespace, id)
        if Self.exists(directory + "/" + id.value) {
            throw wasMade(by: key, at: directory + "/" + id.value) ? .alreadyDone : .exists
        }
        if try isOverQuota(user) { throw .quotaExceeded }
        let temporary = directory + "/" + temporaryName(for: id)
        let create = { Glibc.open(temporary, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o644) }
        let fd: Int32
        do {
            fd = try syscall("open(temporary)", create)
        } catch where error.errno == ENOENT {  // the first blob of its prefix: make the directories
            try Self.makeDirectories(directory)
            fd = try StoreError.syscall("open(temporary)", path: temporary, create)
        } catch {
            throw StoreError(error, path: temporary)
        }
        record(key, on: fd)
        return BlobWriter(fd: fd, temporaryPath: temporary, directory: directory, id: id, fsync: fsync,
                          quotaUser: quota == nil ? nil : user, store: self, key: key)
    }

    /// Opens a blob for reading; a network file system's ESTALE is retried.
    public func open(user: BlobName, namespace: BlobName, id: BlobName) throws(StoreError) -> OpenBlob {
        let path = directory(user, namespace, id) + "/" + id.value
        var attempts = 0
        while true {
            let fd: Int32
            do {
                fd = try syscall("open(blob)") { Glibc.open(path, O_RDONLY | O_CLOEXEC) }
            } catch where error.errno == ESTALE && attempts < 3 {
                attempts += 1
                continue
            } catch where error.errno == ENOENT || error.errno == ENOTDIR {
                throw .notFound
            } catch {
                throw StoreError(error, path: path)
            }
            return try OpenBlob(fd: fd, path: path)
        }
    }

    /// A blob's size, from one `stat` (no descriptor is held).
    public func size(user: BlobName, namespace: BlobName, id: BlobName) throws(StoreError) -> Int {
        let path = directory(user, namespace, id) + "/" + id.value
        var info = stat()
        do {
            try syscall("stat(blob)") { stat(path, &info) }
        } catch where error.errno == ENOENT || error.errno == ENOTDIR {
            throw .notFound
        } catch {
            throw StoreError(error, path: path)
        }
        return Int(info.st_size)
    }

    /// Deletes a blob and its flags, leaving a tombstone. With `key`, a
    /// blob already deleted by a request with the same key is done (200).
    public func delete(user: BlobName, namespace: BlobName, id: BlobName, key: IdempotencyKey? = nil) throws(StoreError) {
        let base = directory(user, namespace, id) + "/" + id.value
        guard Self.exists(base) else { throw wasMade(by: key, at: base + ".deleted") ? .alreadyDone : .notFound }
        let tombstone = base + ".deleted"
        let fd = try StoreError.syscall("open(tombstone)", path: tombstone) {
            Glibc.open(tombstone, O_WRONLY | O_CREAT | O_CLOEXEC, 0o644)
        }
        defer { Glibc.close(fd) }
        do {
            try syscall("unlink(blob)") { unlink(base) }
        } catch where error.errno == ENOENT {
            // Another worker deleted it first (or our own earlier attempt did).
            throw wasMade(by: key, at: tombstone) ? .alreadyDone : .notFound
        } catch {
            throw StoreError(error, path: base)
        }
        // Recorded only once this request has deleted the blob, so a racing
        // DELETE with another key is not told it did.
        record(key, on: fd)
        _ = unlink(base + ".flags")
    }

    // MARK: flags

    public func flags(user: BlobName, namespace: BlobName, id: BlobName) throws(StoreError) -> [String] {
        let base = directory(user, namespace, id) + "/" + id.value
        guard Self.exists(base) else { throw .notFound }
        guard let bytes = try Self.readSmallFile(base + ".flags") else { return [] }
        do {
            return try FlagList.parse(bytes)
        } catch {
            throw .corruptFlags
        }
    }

    /// Replaces the flags atomically; `unknownFlag` (406) leaves them as they were.
    public func setFlags(_ flags: [String], user: BlobName, namespace: BlobName, id: BlobName) throws(StoreError) {
        if let unknown = flags.first(where: { !FlagList.known.contains($0) }) { throw .unknownFlag(unknown) }
        let directory = directory(user, namespace, id)
        let base = directory + "/" + id.value
        guard Self.exists(base) else { throw .notFound }
        let temporary = directory + "/" + temporaryName(for: id, suffix: ".flags")
        let fd = try StoreError.syscall("open(flags)", path: temporary) {
            Glibc.open(temporary, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o644)
        }
        // Every failure (ENOSPC from write, fsync, close or rename) removes
        // the temporary file: the old flags stay, nothing partial is left.
        do throws(StoreError) {
            do throws(StoreError) {
                try Self.writeAll(fd, FlagList.encode(flags), path: temporary)
                if fsync { try StoreError.syscall("fsync(flags)", path: temporary) { Glibc.fsync(fd) } }
            } catch {
                Glibc.close(fd)
                throw error
            }
            // Not retried: after EINTR the descriptor is gone too.
            if Glibc.close(fd) != 0 && errno != EINTR { throw StoreError.system(call: "close(flags)", errno: errno, path: temporary) }
            try StoreError.syscall("rename(flags)", path: base + ".flags") { rename(temporary, base + ".flags") }
        } catch {
            unlink(temporary)
            throw error
        }
        if fsync { Self.syncDirectory(directory) }
    }

    // MARK: health and quota

    /// nil when the store can be read and written, else why not.
    public func healthCheck() -> StoreError? {
        let probe = root + "/.healthcheck." + tempTag
        do {
            let fd = try StoreError.syscall("create(probe)", path: probe) { Glibc.open(probe, O_WRONLY | O_CREAT | O_CLOEXEC, 0o600) }
            Glibc.close(fd)
            unlink(probe)
            try StoreError.syscall("access", path: root) { access(root, R_OK | X_OK) }
            return nil
        } catch {
            return error
        }
    }

    /// True when a quota is set and the user's published blobs already
    /// reach it. Checked when a write begins (an early 507) and again in
    /// `BlobWriter.commit()`, just before `link()`. A worker commits one
    /// blob at a time and sees its own earlier commits, so the quota is
    /// overshot only by commits racing on other workers: at most one
    /// in-flight blob per worker (API.md). The walk is not cached, since a
    /// cache would miss other workers' blobs; it costs one `fstatat` per
    /// file of the user, twice per PUT, and only when `--quota` is set.
    func isOverQuota(_ user: BlobName) throws(StoreError) -> Bool {
        guard let quota else { return false }
        return try usedBytes(user) >= quota
    }

    /// Bytes of the user's published blobs, in every namespace (temporary
    /// files, flags and tombstones are not counted).
    func usedBytes(_ user: BlobName) throws(StoreError) -> Int {
        var total = 0
        try DirectoryWalk.files(under: root + "/" + user.value, depth: 4) { entry in
            if BlobName.isValid(bytes: entry.name) { total += entry.size }
        }
        return total
    }
}
