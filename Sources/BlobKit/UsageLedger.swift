import EventCore
#if canImport(Glibc)
import Glibc
#endif

/// One open `ROOT/{user}/.usage`: the user's published bytes, kept by every
/// worker with `--quota` so that a PUT does not walk the user's tree (a
/// second per walk at 100,000 blobs). Every reader and writer holds
/// `flock` on it: workers are separate processes sharing the store, and
/// flock is per open file description, so the lock also orders two opens
/// in one process (two stores in a test) and the kernel drops it when its
/// holder dies. Opened per operation and closed at its end (closing
/// unlocks): no descriptor outlives a request, and a ledger replaced or
/// removed behind our back is never written through a stale descriptor.
/// The dot keeps it out of listings, of the usage walk and of the sweep.
final class UsageLedger {
    static let fileName = ".usage"

    let path: String
    private var fd: Int32

    /// Opens the user's ledger, creating it empty (which reads as "walk
    /// again") if `create`; nil when there is none and the user has no
    /// directory yet (so no blob), or, without `create`, no ledger. A
    /// symlink is refused (ELOOP, a 500): the ledger is written in place.
    static func open(root: String, user: String, create: Bool = true) throws(StoreError) -> UsageLedger? {
        let path = root + "/" + user + "/" + fileName
        do {
            let fd = try syscall("open(usage)") { Glibc.open(path, O_RDWR | O_CLOEXEC | O_NOFOLLOW | (create ? O_CREAT : 0), 0o644) }
            return UsageLedger(fd: fd, path: path)
        } catch where error.errno == ENOENT {
            return nil
        } catch {
            throw StoreError(error, path: path)
        }
    }

    private init(fd: Int32, path: String) {
        self.fd = fd
        self.path = path
    }

    /// Blocks until this descriptor holds the lock: `LOCK_SH` to read,
    /// `LOCK_EX` to change. Taking the other kind converts the lock (not
    /// atomically: a writer may come in between, so re-read after). Only
    /// for callers that serve no client (check-store, a worker's start).
    func lock(_ operation: Int32) throws(StoreError) {
        try StoreError.syscall("flock(usage)", path: path) { flock(fd, operation) }
    }

    /// The lock within `wait` seconds, else `ledgerBusy` (503): a worker
    /// serves all its clients on one loop, so a holder that is stopped,
    /// hung or walking a large tree must not stall it without a bound.
    /// Polls with `LOCK_NB`, sleeping 50 us doubling to 1 ms between tries
    /// (a holder keeps it for tens of microseconds: a longer sleep only adds
    /// to the waiter's latency, and every sleep stalls its loop),
    /// so the loop is held at most `wait` plus one sleep. A failed
    /// conversion may have dropped the lock held before (flock(2)); the
    /// callers re-read under the new lock or give up, so either is fine.
    func lock(_ operation: Int32, within wait: Double) throws(StoreError) {
        let deadline = Self.now() + wait
        var pause: UInt32 = 50
        while true {
            do throws(SystemError) {
                try syscall("flock(usage)") { flock(fd, operation | LOCK_NB) }
                return
            } catch where error.errno == EWOULDBLOCK {
                let left = deadline - Self.now()
                guard left > 0 else { throw .ledgerBusy }
                usleep(min(pause, UInt32(left * 1_000_000) + 1))
                pause = min(pause * 2, 1_000)
            } catch {
                throw StoreError(error, path: path)
            }
        }
    }

    private static func now() -> Double {
        var spec = timespec()
        clock_gettime(CLOCK_MONOTONIC, &spec)
        return Double(spec.tv_sec) + Double(spec.tv_nsec) / 1e9
    }

    /// The record, or nil when the file holds none (new, torn, foreign).
    func read() throws(StoreError) -> UsageRecord? {
        var bytes = [UInt8](repeating: 0, count: UsageRecord.size + 1)
        let count = try StoreError.syscall("pread(usage)", path: path) {
            bytes.withUnsafeMutableBytes { pread(fd, $0.baseAddress, $0.count, 0) }
        }
        return UsageRecord(bytes: Array(bytes[0..<count]))
    }

    /// Replaces the record in place (one `pwrite` of 64 bytes at offset 0).
    func write(_ record: UsageRecord) throws(StoreError) {
        let bytes = record.bytes
        let written = try StoreError.syscall("pwrite(usage)", path: path) {
            bytes.withUnsafeBytes { pwrite(fd, $0.baseAddress, $0.count, 0) }
        }
        if written != bytes.count { throw .system(call: "pwrite(usage)", errno: EIO, path: path) }
    }

    /// Marks the ledger "walk again" (an empty file); used by a worker
    /// without `--quota`, whose changes the ledger would miss.
    func clear() throws(StoreError) {
        try StoreError.syscall("ftruncate(usage)", path: path) { ftruncate(fd, 0) }
    }

    /// The descriptor, for the store's `sync` (--fsync).
    var descriptor: Int32 { fd }

    /// Closes the file, which also releases the lock.
    func close() {
        guard fd >= 0 else { return }
        Glibc.close(fd)
        fd = -1
    }

    deinit {
        assert(fd < 0, "UsageLedger dropped without close()")
    }
}
