#if canImport(Glibc)
import Glibc
#endif

/// Listing and counting a namespace: live blobs are the files whose name is
/// a valid id (never `.flags`, `.deleted` or a dotted temporary file).
extension BlobStore {
    public func list(
        user: BlobName, namespace: BlobName, filterFlag: String?, order: ListOrder, deleted: Bool
    ) throws(StoreError) -> [String] {
        var found: [(id: String, modified: timespec)] = []
        let needStat = order != .none
        try DirectoryWalk.files(under: namespaceRoot(user, namespace), depth: 3, needStat: needStat) {
            fd, name, _, modified throws(StoreError) in
            if deleted {
                guard name.hasSuffix(".deleted") else { return }
                let id = String(name.dropLast(8))
                if BlobName.isValid(id) { found.append((id, modified)) }
                return
            }
            guard BlobName.isValid(name) else { return }
            if let filterFlag {
                guard let bytes = try? Self.readSmallFileAt(fd, name + ".flags"),
                      let flags = try? FlagList.parse(bytes), flags.contains(filterFlag) else { return }
            }
            found.append((name, modified))
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
        try DirectoryWalk.files(under: namespaceRoot(user, namespace), depth: 3, needStat: false) { _, name, _, _ in
            if BlobName.isValid(name) { total += 1 }
        }
        return total
    }

    private func namespaceRoot(_ user: BlobName, _ namespace: BlobName) -> String {
        "\(root)/\(user.value)/\(namespace.value)"
    }

    private static func earlier(_ a: timespec, _ b: timespec) -> Bool {
        a.tv_sec != b.tv_sec ? a.tv_sec < b.tv_sec : a.tv_nsec < b.tv_nsec
    }

    /// A small file relative to an open directory; nil if absent.
    static func readSmallFileAt(_ directoryFD: Int32, _ name: String) throws(StoreError) -> [UInt8]? {
        let fd = openat(directoryFD, name, O_RDONLY | O_CLOEXEC)
        if fd < 0 { return nil }
        defer { Glibc.close(fd) }
        var bytes = [UInt8](repeating: 0, count: 4096)
        let count = bytes.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
        guard count >= 0 else { return nil }
        return Array(bytes[0..<count])
    }
}
