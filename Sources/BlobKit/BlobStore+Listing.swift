import BlobProtocol
#if canImport(Glibc)
import Glibc
#endif

/// Listing and counting a namespace: live blobs are the files whose name is
/// a valid id (never `.flags`, `.deleted` or a dotted temporary file).
extension BlobStore {
    /// A resumable walk over the ids `list` would return, in directory
    /// order; `needTimes` also stats each file (for `order_by`).
    func listingCursor(
        user: BlobName, namespace: BlobName, filterFlag: String?, deleted: Bool, needTimes: Bool
    ) throws(StoreError) -> ListingCursor {
        let directories = try DirectoryCursor(path: namespaceRoot(user, namespace), depth: 3, needStat: needTimes)
        return ListingCursor(directories: directories, store: self, filterFlag: deleted ? nil : filterFlag, deleted: deleted)
    }

    /// The live blob ids of one namespace (or, with `deleted`, the ids that
    /// have a tombstone), optionally only those whose flags contain
    /// `filterFlag`, optionally ordered by the file's modification time.
    /// Holds every id: the HTTP listing streams instead (ListingBody).
    public func list(
        user: BlobName, namespace: BlobName, filterFlag: String?, order: ListOrder, deleted: Bool
    ) throws(StoreError) -> [String] {
        let cursor = try listingCursor(user: user, namespace: namespace, filterFlag: filterFlag, deleted: deleted,
                                       needTimes: order != .none)
        defer { cursor.close() }
        var ids: [String] = []
        if order == .none {
            while let (id, _) = try cursor.next() { ids.append(String(decoding: id, as: UTF8.self)) }
            return ids
        }
        var sorted = SortedIDs()
        while let (id, modified) = try cursor.next() { try sorted.append(id, modified: modified) }
        sorted.sort(descending: order == .dateDescending)
        ids.reserveCapacity(sorted.count)
        for index in 0..<sorted.count { ids.append(sorted.id(at: index)) }
        return ids
    }

    /// How many ids `list` would return, counted without keeping any.
    public func count(
        user: BlobName, namespace: BlobName, filterFlag: String? = nil, deleted: Bool = false
    ) throws(StoreError) -> Int {
        let cursor = try listingCursor(user: user, namespace: namespace, filterFlag: filterFlag, deleted: deleted,
                                       needTimes: false)
        defer { cursor.close() }
        var total = 0
        while try cursor.next() != nil { total += 1 }
        return total
    }

    private func namespaceRoot(_ user: BlobName, _ namespace: BlobName) -> String {
        "\(root)/\(user.value)/\(namespace.value)"
    }

    /// The id `entry` stands for in a listing, or nil if it is not listed:
    /// with `deleted` a tombstone's id (unless its blob is there too),
    /// otherwise a live blob's, if its flags contain `filterFlag`.
    func listedID(_ entry: DirectoryWalk.Entry, filterFlag: String?, deleted: Bool) -> UnsafeBufferPointer<UInt8>? {
        if deleted {
            let suffix = Self.tombstoneSuffix
            guard entry.name.count > suffix.count, entry.name.suffix(suffix.count).elementsEqual(suffix) else { return nil }
            let id = UnsafeBufferPointer(rebasing: entry.name.dropLast(suffix.count))
            guard BlobName.isValid(bytes: id) else { return nil }
            // A tombstone next to a live blob is one a crash left (mid-DELETE
            // or mid-PUT): the blob decides, the id is live.
            return Self.fileExists(in: entry.directory, named: id) ? nil : id
        }
        guard BlobName.isValid(bytes: entry.name) else { return nil }
        if let filterFlag, !flagsFile(entry, contain: filterFlag) { return nil }
        return entry.name
    }

    private static let tombstoneSuffix = Array(".deleted".utf8)

    private static func fileExists(in directory: Int32, named name: UnsafeBufferPointer<UInt8>) -> Bool {
        var path = [CChar]()
        path.reserveCapacity(name.count + 1)
        for byte in name { path.append(CChar(bitPattern: byte)) }
        path.append(0)
        var info = stat()
        return fstatat(directory, path, &info, AT_SYMLINK_NOFOLLOW) == 0
    }

    /// True when the blob's `.flags` file, next to it, lists `flag` and
    /// was set on this blob (BlobStore+Generations); a missing or
    /// unreadable flags file lists nothing.
    private func flagsFile(_ entry: DirectoryWalk.Entry, contain flag: String) -> Bool {
        var path = [CChar]()
        path.reserveCapacity(entry.name.count + 7)
        for byte in entry.name { path.append(CChar(bitPattern: byte)) }
        for byte in ".flags".utf8 { path.append(CChar(bitPattern: byte)) }
        path.append(0)
        let fd = openat(entry.directory, path, O_RDONLY | O_CLOEXEC)
        if fd < 0 { return false }
        defer { Glibc.close(fd) }
        var bytes = [UInt8](repeating: 0, count: 4096)
        let count = bytes.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
        guard count > 0, let flags = try? FlagList.parse(Array(bytes[0..<count])), flags.contains(flag) else { return false }
        guard keysSupported else { return true }
        // Both attributes by path through the open directory (no fgetxattrat).
        let blobPath = "/proc/self/fd/\(entry.directory)/" + entry.nameString
        let blob: [UInt8]? = if case .value(let bytes) = Self.readGeneration(at: blobPath) { bytes } else { nil }
        return Self.generations(blob: blob, flags: Self.readGeneration(at: blobPath + ".flags"))
    }
}
