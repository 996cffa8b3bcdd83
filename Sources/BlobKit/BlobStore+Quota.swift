import BlobProtocol
#if canImport(Glibc)
import Glibc
#endif

/// The quota (`--quota`): each user's published bytes live in a ledger,
/// `ROOT/{user}/.usage` (UsageLedger), that every commit and DELETE of the
/// user updates under `flock`, so no PUT walks the user's tree. The tree is
/// walked only when the ledger cannot be trusted: missing or unreadable,
/// left `pending` by a worker that died between the marker and the settle,
/// or emptied by a worker started without `--quota` (which keeps no
/// ledger, so clears them all at start: `clearUsageLedgers`).
///
/// The bound: a commit is refused when the ledger, read under the lock,
/// is at or over the quota; the lock orders the commits of every worker,
/// so usage stays below `quota + size of the blob that crossed it`, i.e.
/// at most `quota - 1 + --max-body`, however many workers there are.
/// This holds while every worker writing the store runs with `--quota`;
/// blobs stored by a worker without it while quota workers run are not
/// counted until a worker without `--quota` starts again or a pending
/// marker forces a walk (API.md: mixing is not supported).
///
/// No request waits on the lock longer than `quotaLockWait` (its own
/// loop serves every client of the worker): past it the request is
/// `ledgerBusy`, a 503, and has changed nothing that counts (a PUT's
/// temporary file is dropped, a DELETE leaves at most its tombstone next
/// to the live blob, which means live).
extension BlobStore {
    /// The early check, when a write begins (a 507 before any body byte):
    /// reads the ledger under `LOCK_SH`; walks only if it cannot be trusted.
    func isOverQuota(_ user: BlobName) throws(StoreError) -> Bool {
        guard let quota else { return false }
        guard let ledger = try UsageLedger.open(root: root, user: user.value) else { return false }
        defer { ledger.close() }
        try ledger.lock(LOCK_SH, within: quotaLockWait)
        // Under LOCK_SH nobody holds LOCK_EX: a pending record is a dead writer's.
        if let record = try ledger.read(), record.state == .settled { return record.used >= quota }
        try ledger.lock(LOCK_EX, within: quotaLockWait)
        return try settledUsage(of: user, in: ledger) >= quota
    }

    /// Locks the user's ledger for a change of `delta()` bytes (computed
    /// under the lock: a DELETE stats its blob there) and marks it pending;
    /// nil without a quota. With `enforcingQuota` (a commit), usage at or
    /// over the quota is `quotaExceeded` and nothing is marked.
    func beginUsageChange(
        _ user: BlobName, enforcingQuota: Bool, delta: () throws(StoreError) -> Int
    ) throws(StoreError) -> UsageChange? {
        guard let quota else { return nil }
        guard let ledger = try UsageLedger.open(root: root, user: user.value) else {
            throw .system(call: "open(usage)", errno: ENOENT, path: root + "/" + user.value)
        }
        do throws(StoreError) {
            try ledger.lock(LOCK_EX, within: quotaLockWait)
            let used = try settledUsage(of: user, in: ledger)
            if enforcingQuota && used >= quota { throw StoreError.quotaExceeded }
            let change = try delta()
            try ledger.write(UsageRecord(used: used, state: .pending(delta: change)))
            // Durable before the link or unlink: a power loss then leaves
            // "pending" (walk again), never an old total that looks settled.
            try sync(ledger.descriptor, "fsync(usage)", path: ledger.path)
            crashPoint.reached(.quota, step: 1)
            return UsageChange(ledger: ledger, used: used, delta: change)
        } catch {
            ledger.close()
            throw error
        }
    }

    /// The usage a ledger locked `LOCK_EX` says, after walking the tree
    /// and writing the result if it could not be trusted.
    private func settledUsage(of user: BlobName, in ledger: UsageLedger) throws(StoreError) -> Int {
        if let record = try ledger.read(), record.state == .settled { return record.used }
        let used = try usedBytes(user)
        try ledger.write(UsageRecord(used: used, state: .settled))
        return used
    }

    /// Bytes of the user's published blobs, in every namespace, by walking
    /// `ROOT/{user}` (temporary files, flags, tombstones and the ledger
    /// itself are not valid ids, so are not counted).
    func usedBytes(_ user: BlobName) throws(StoreError) -> Int {
        var total = 0
        try DirectoryWalk.files(under: root + "/" + user.value, depth: 4) { entry in
            if BlobName.isValid(bytes: entry.name) { total += entry.size }
        }
        return total
    }

    /// Empties every user's ledger (each under its lock, so a quota worker
    /// mid-change finishes first): a worker without `--quota` stores and
    /// deletes without them, so from now on they would lie. The next quota
    /// check of each user walks once. Costs one `open` per user directory,
    /// at start only; the number of ledgers cleared.
    static func clearUsageLedgers(root: String) -> Int {
        guard let directory = opendir(root) else { return 0 }
        defer { closedir(directory) }
        var cleared = 0
        while let entry = readdir(directory) {
            guard entry.pointee.d_type == UInt8(DT_DIR) || entry.pointee.d_type == UInt8(DT_UNKNOWN) else { continue }
            let name = withUnsafeBytes(of: entry.pointee.d_name) { raw in
                String(cString: raw.baseAddress!.assumingMemoryBound(to: CChar.self))
            }
            guard BlobName.isValid(name), let ledger = try? UsageLedger.open(root: root, user: name, create: false) else { continue }
            if (try? ledger.lock(LOCK_EX)) != nil, (try? ledger.clear()) != nil { cleared += 1 }
            ledger.close()
        }
        return cleared
    }
}
