#if canImport(Glibc)
import Glibc
#endif

/// The ids of one listing, one at a time, straight from a resumable
/// directory walk: what `GET /blobs/{user}/` streams (or counts, or sorts)
/// without ever holding the list. Used by one thread at a time.
final class ListingCursor {
    private let directories: DirectoryCursor
    private let store: BlobStore
    private let filterFlag: String?
    private let deleted: Bool

    init(directories: DirectoryCursor, store: BlobStore, filterFlag: String?, deleted: Bool) {
        self.directories = directories
        self.store = store
        self.filterFlag = filterFlag
        self.deleted = deleted
    }

    /// The next listed id and its file's modification time (zero unless
    /// the cursor was made with `needTimes`), or nil at the end. The bytes
    /// are valid until the next call.
    func next() throws(StoreError) -> (id: UnsafeBufferPointer<UInt8>, modified: timespec)? {
        while let entry = try directories.next() {
            if let id = store.listedID(entry, filterFlag: filterFlag, deleted: deleted) { return (id, entry.modified) }
        }
        return nil
    }

    /// Open directory descriptors held now (at most depth + 1).
    var openDirectories: Int { directories.openDirectories }

    func close() { directories.close() }
}
