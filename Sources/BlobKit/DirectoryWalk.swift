#if canImport(Glibc)
import Glibc
#endif

/// Walks the fixed-depth prefix directories of the store to the end, a
/// callback per file, on a `DirectoryCursor` (which a listing uses
/// directly, to stop and resume). With random ids nearly every blob has a
/// leaf directory of its own, so the cost per directory is the cost per
/// blob.
enum DirectoryWalk {
    /// One regular file found by the walk; valid only during the visit.
    struct Entry {
        /// The open directory holding the file, for `openat`/`fstatat`.
        let directory: Int32
        /// The file name's bytes, without the terminating NUL.
        let name: UnsafeBufferPointer<UInt8>
        /// Size and modification time; zero unless the walk was asked to stat.
        let size: Int
        let modified: timespec

        var nameString: String { String(decoding: name, as: UTF8.self) }
    }

    /// Calls `visit` for each regular file `depth` levels below `path` (or
    /// fewer, if the tree is shallower). A missing `path` visits nothing.
    static func files(
        under path: String, depth: Int, needStat: Bool = true, _ visit: (Entry) throws(StoreError) -> Void
    ) throws(StoreError) {
        let cursor = try DirectoryCursor(path: path, depth: depth, needStat: needStat)
        defer { cursor.close() }
        while let entry = try cursor.next() { try visit(entry) }
    }
}
