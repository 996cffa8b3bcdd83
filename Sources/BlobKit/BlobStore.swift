import BlobProtocol
import EventCore
import HTTP1
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
    public let durability: Durability
    let quota: Int?
    /// Seconds a request waits for a user's usage ledger lock before it is
    /// a 503 (`--quota-lock-wait`; BlobStore+Quota).
    let quotaLockWait: Double
    /// 200 ms: far above a settled check or change (microseconds), far
    /// below what a stalled loop would cost its other clients.
    public static let defaultQuotaLockWait = 0.2
    /// `{pid}-{rand}`: embedded in every temporary name, so the sweep can
    /// tell a live writer's files (BlobStore+Sweep).
    let tempTag: String
    private var tempCounter = 0
    /// Whether idempotency keys can be recorded (user extended attributes).
    public let keysSupported: Bool
    /// How blobs are staged before `link()`; probed once, at start.
    public let temporaryFiles: TemporaryFileMode
    /// Test only (CrashPoint): where to die on purpose.
    let crashPoint: CrashPoint?
    /// Without a quota: the users' usage ledgers this store emptied at
    /// start, since its changes will not be counted in them (BlobStore+Quota).
    public let clearedUsageLedgers: Int

    /// `allowUnnamedTemporaryFiles: false` forces named temporary files even
    /// where `O_TMPFILE` works (tests, or a file system that claims it but
    /// misbehaves).
    public init(root: String, durability: Durability, quota: Int?, quotaLockWait: Double = BlobStore.defaultQuotaLockWait,
                allowUnnamedTemporaryFiles: Bool = true,
                crashPoint: CrashPoint? = CrashPoint.fromEnvironment()) throws(StoreError) {
        self.root = root.hasSuffix("/") && root.count > 1 ? String(root.dropLast()) : root
        self.durability = durability
        self.quota = quota
        self.quotaLockWait = quotaLockWait
        self.crashPoint = crashPoint
        tempTag = "\(getpid())-\(UInt32.random(in: 0...UInt32.max))"
        try Self.makeDirectories(self.root)
        clearedUsageLedgers = quota == nil ? Self.clearUsageLedgers(root: self.root) : 0
        keysSupported = Self.probeKeySupport(root: self.root, tag: tempTag)
        temporaryFiles = allowUnnamedTemporaryFiles ? TemporaryFileMode.probe(root: self.root, tag: tempTag) : .named
    }

    public convenience init(root: String, fsync: Bool, quota: Int?) throws(StoreError) {
        try self.init(root: root, durability: fsync ? .fsync : .processCrash, quota: quota)
    }

    // MARK: paths

    /// `ROOT/{user}/{namespace}/{id[0:1]}/{id[0:3]}/{id[0:6]}`.
    func directory(_ user: BlobName, _ namespace: BlobName, _ id: BlobName) -> String {
        path(user, namespace, id, endingWithID: false)
    }

    /// The blob's file: its directory, `/`, the id.
    func blobPath(_ user: BlobName, _ namespace: BlobName, _ id: BlobName) -> String {
        path(user, namespace, id, endingWithID: true)
    }

    /// Written byte by byte into the String's storage: names are ASCII
    /// (BlobName), so a prefix of the id's UTF-8 is its prefix in
    /// characters, without String's per-character indexing or the
    /// intermediate strings of concatenation (a seventh of a GET's
    /// instructions in callgrind).
    private func path(_ user: BlobName, _ namespace: BlobName, _ id: BlobName, endingWithID: Bool) -> String {
        ByteWriter.string(atMost: pathBound(user, namespace, id)) { writePath(user, namespace, id, endingWithID: endingWithID, to: &$0) }
    }

    /// The blob's file as a NUL-terminated name on the stack, for a system
    /// call: no String at all on a GET that succeeds.
    func withBlobCPath<Result>(_ user: BlobName, _ namespace: BlobName, _ id: BlobName,
                               _ body: (UnsafePointer<CChar>) -> Result) -> Result {
        CPath.written(atMost: pathBound(user, namespace, id), { writePath(user, namespace, id, endingWithID: true, to: &$0) }, body)
    }

    private func pathBound(_ user: BlobName, _ namespace: BlobName, _ id: BlobName) -> Int {
        root.utf8.count + user.value.utf8.count + namespace.value.utf8.count + 1 + 3 + 6 + id.value.utf8.count + 6
    }

    private func writePath(_ user: BlobName, _ namespace: BlobName, _ id: BlobName, endingWithID: Bool, to writer: inout ByteWriter) {
        writer.put(root)
        writer.put(UInt8(ascii: "/"))
        writer.put(user.value)
        writer.put(UInt8(ascii: "/"))
        writer.put(namespace.value)
        var id = id.value
        id.withUTF8 { id in
            let bytes = UnsafeRawBufferPointer(id)
            func component(_ length: Int) {
                writer.put(UInt8(ascii: "/"))
                writer.put(UnsafeRawBufferPointer(rebasing: bytes[..<min(length, bytes.count)]))
            }
            component(1)
            component(3)
            component(6)
            if endingWithID { component(bytes.count) }
        }
    }

    /// A name no other writer, in any process or on any host, will pick;
    /// the leading dot keeps it out of every listing.
    func temporaryName(for id: BlobName, suffix: String = "") -> String {
        ".\(id.value)\(suffix).\(uniqueToken())"
    }

    /// `{pid}-{rand}-{n}`: never the same twice in this process, nor (but
    /// for a 2^-32 chance per pair of processes with the same pid) in
    /// another; costs no system call, unlike asking the kernel for randomness.
    /// Written into the String's storage: it is made on every PUT (the
    /// generation), where interpolation cost two thousand instructions.
    func uniqueToken() -> String {
        tempCounter += 1
        let (tag, counter) = (tempTag, tempCounter)
        return ByteWriter.string(atMost: tag.utf8.count + 1 + ByteWriter.decimalBound) { writer in
            writer.put(tag)
            writer.put(UInt8(ascii: "-"))
            writer.putDecimal(counter)
        }
    }

    // MARK: blobs

    /// Starts writing a new blob: `exists` (409) or `quotaExceeded` (507)
    /// before any byte is read, else a writer on a fresh temporary file.
    /// `key`, if given, is recorded with the blob; a blob already made with
    /// the same key is `alreadyDone` (the original 200) rather than `exists`.
    public func beginWrite(user: BlobName, namespace: BlobName, id: BlobName, key: IdempotencyKey? = nil) throws(StoreError) -> BlobWriter {
        let directory = directory(user, namespace, id)
        let file = blobPath(user, namespace, id)
        if Self.exists(file) {
            throw wasMade(by: key, at: file) ? .alreadyDone : .exists
        }
        if try isOverQuota(user) { throw .quotaExceeded }
        let (fd, staged) = try createTemporary(in: directory, for: id)
        record(key, on: fd)
        recordGeneration(on: fd)
        return BlobWriter(fd: fd, staged: staged, directory: directory, finalPath: file,
                          quotaUser: quota == nil ? nil : user, store: self, key: key)
    }

    /// A fresh temporary file in the blob's directory (made, with its
    /// parents, if this is the first blob of its prefix): unnamed where the
    /// store allows it, else named. A directory whose file system turns
    /// `O_TMPFILE` down (another mount below the root) gets a named one.
    private func createTemporary(in directory: String, for id: BlobName) throws(StoreError) -> (Int32, StagedFile) {
        let staged: StagedFile = temporaryFiles == .unnamed
            ? .unnamed(directory: directory) : .named(path: directory + "/" + temporaryName(for: id))
        let create: () -> Int32
        switch staged {
        case .unnamed: create = { CPath.with(directory) { Glibc.open($0, TemporaryFileMode.openFlag | O_WRONLY | O_CLOEXEC, 0o644) } }
        case .named(let path): create = { CPath.with(path) { Glibc.open($0, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o644) } }
        }
        do {
            return (try syscall("open(temporary)", create), staged)
        } catch where error.errno == ENOENT {
            try makeDirectories(directory)
            return (try StoreError.syscall("open(temporary)", path: staged.description, create), staged)
        } catch where TemporaryFileMode.meansUnsupported(error.errno) && temporaryFiles == .unnamed {
            let path = directory + "/" + temporaryName(for: id)
            let fd = try StoreError.syscall("open(temporary)", path: path) {
                Glibc.open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o644)
            }
            return (fd, .named(path: path))
        } catch {
            throw StoreError(error, path: staged.description)
        }
    }

    /// Opens a blob for reading; a network file system's ESTALE is retried.
    public func open(user: BlobName, namespace: BlobName, id: BlobName) throws(StoreError) -> OpenBlob {
        let location = BlobLocation(store: self, user: user, namespace: namespace, id: id)
        var attempts = 0
        while true {
            let fd: Int32
            do {
                fd = try syscall("open(blob)") { withBlobCPath(user, namespace, id) { Glibc.open($0, O_RDONLY | O_CLOEXEC) } }
            } catch where error.errno == ESTALE && attempts < 3 {
                attempts += 1
                continue
            } catch where error.errno == ENOENT || error.errno == ENOTDIR {
                throw .notFound
            } catch {
                throw StoreError(error, path: location.path)
            }
            return try OpenBlob(fd: fd, location: location)
        }
    }

    /// A blob's size, from one `stat` (no descriptor is held).
    public func size(user: BlobName, namespace: BlobName, id: BlobName) throws(StoreError) -> Int {
        let path = blobPath(user, namespace, id)
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
    ///
    /// The order makes every crash point leave one of two states, "live
    /// with its own flags" or "deleted: tombstone, no flags":
    /// 1. create `{id}.deleted`. A tombstone next to a blob means nothing
    ///    (the blob decides: an id is live while `{id}` exists, and listings
    ///    of deleted ids skip such tombstones), so a crash here leaves the id
    ///    live, flags untouched, and a retry goes on from here.
    /// 2. unlink `{id}`: the one step that deletes. A tombstone existed
    ///    before it, so there is never a moment with neither.
    /// 3. unlink `{id}.flags`. Flags without their blob are never read,
    ///    and flags are bound to the blob they were set on (a generation
    ///    attribute, BlobStore+Generations), so flags a crash left behind,
    ///    or that a POST racing this DELETE renamed in after step 2, are not
    ///    inherited by a later PUT of the same id.
    /// The idempotency key goes on the tombstone in step 1, before the
    /// blob goes, so a worker killed between steps 2 and its answer leaves
    /// a tombstone that names the request and the retry hears 200.
    /// With --fsync, the tombstone and the directory are synced after step
    /// 1 (so a power loss cannot keep the unlink but lose the tombstone)
    /// and the directory again at the end.
    /// With --quota, steps 2 and 3 and the last sync run under the user's
    /// usage lock, the ledger marked pending with the blob's size
    /// (BlobStore+Quota): a crash between the mark and the end leaves it
    /// pending, and the next request of the user walks once.
    public func delete(user: BlobName, namespace: BlobName, id: BlobName, key: IdempotencyKey? = nil) throws(StoreError) {
        let directory = directory(user, namespace, id)
        let base = directory + "/" + id.value
        let tombstone = base + ".deleted"
        guard Self.exists(base) else { throw wasMade(by: key, at: tombstone) ? .alreadyDone : .notFound }
        let fd = try StoreError.syscall("open(tombstone)", path: tombstone) {
            Glibc.open(tombstone, O_WRONLY | O_CREAT | O_CLOEXEC, 0o644)
        }
        defer { Glibc.close(fd) }
        // The key goes on the tombstone before the blob goes: a worker killed
        // between the two leaves a deleted blob whose tombstone names the
        // request, so the balancer's retry of it is told 200, not 404. (Two
        // clients deleting one blob at once may then both hear 200; the blob
        // is deleted either way.)
        record(key, on: fd)
        try sync(fd, "fsync(tombstone)", path: tombstone)
        try syncDirectory(directory)
        crashPoint.reached(.delete, step: 1)
        // With a quota, steps 2 and 3 run under the user's usage lock, the
        // ledger marked pending with the blob's size (BlobStore+Quota).
        let usage = try beginUsageChange(user, enforcingQuota: false) { () throws(StoreError) -> Int in
            var info = stat()
            return stat(base, &info) == 0 ? -Int(info.st_size) : 0  // gone: the unlink below says so
        }
        var outcome = UsageChange.Outcome.notApplied
        defer { usage?.settle(outcome) }
        do {
            try syscall("unlink(blob)") { unlink(base) }
            outcome = .applied
        } catch where error.errno == ENOENT {
            // Another worker deleted it first (or our own earlier attempt did).
            throw wasMade(by: key, at: tombstone) ? .alreadyDone : .notFound
        } catch {
            throw StoreError(error, path: base)
        }
        crashPoint.reached(.delete, step: 2)
        do {
            try syscall("unlink(flags)") { unlink(base + ".flags") }
        } catch where error.errno == ENOENT {
            // No flags: nothing to remove.
        } catch {
            throw StoreError(error, path: base + ".flags")
        }
        crashPoint.reached(.delete, step: 3)
        try syncDirectory(directory)
    }

    // MARK: health

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
}
