import BlobProtocol
#if canImport(Glibc)
import Glibc
#endif

/// Listing and counting a namespace: live blobs are the files whose name is
/// a valid id (never `.flags`, `.deleted` or a dotted temporary file).
extension BlobStore {
    /// The live blob ids of one namespace (or, with `deleted`, the ids that
    /// have a tombstone), optionally only those whose flags contain
    /// `filterFlag`, optionally ordered by the file's modification time.
    public func list(
        user: BlobName, namespace: BlobName, filterFlag: String?, order: ListOrder, deleted: Bool
    ) throws(StoreError) -> [String] {
        var found: [(id: String, modified: timespec)] = []
        let suffix = Array(".deleted".utf8)
        try DirectoryWalk.files(under: namespaceRoot(user, namespace), depth: 3, needStat: order != .none) { entry in
            if deleted {
                guard entry.name.count > suffix.count, entry.name.suffix(suffix.count).elementsEqual(suffix) else { return }
                let id = UnsafeBufferPointer(rebasing: entry.name.dropLast(suffix.count))
                guard BlobName.isValid(bytes: id) else { return }
                // A tombstone next to a live blob is one a crash left (mid-DELETE
                // or mid-PUT): the blob decides, the id is live.
                if Self.fileExists(in: entry.directory, named: id) { return }
                found.append((String(decoding: id, as: UTF8.self), entry.modified))
                return
            }
            guard BlobName.isValid(bytes: entry.name) else { return }
            if let filterFlag, !flagsFile(entry, contain: filterFlag) { return }
            found.append((entry.nameString, entry.modified))
        }
        switch order {
        case .none: break
        case .dateAscending: found.sort { Self.earlier($0.modified, $1.modified) }
        case .dateDescending: found.sort { Self.earlier($1.modified, $0.modified) }
        }
        return found.map(\.id)
    }

    /// The number of live blobs in a namespace.
    public func count(user: BlobName, namespace: BlobName) throws(StoreError) -> Int {
        var total = 0
        try DirectoryWalk.files(under: namespaceRoot(user, namespace), depth: 3, needStat: false) { entry in
            if BlobName.isValid(bytes: entry.name) { total += 1 }
        }
        return total
    }

    private func namespaceRoot(_ user: BlobName, _ namespace: BlobName) -> String {
        "\(root)/\(user.value)/\(namespace.value)"
    }

    private static func earlier(_ a: timespec, _ b: timespec) -> Bool {
        a.tv_sec != b.tv_sec ? a.tv_sec < b.tv_sec : a.tv_nsec < b.tv_nsec
    }

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
