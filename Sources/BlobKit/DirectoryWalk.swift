#if canImport(Glibc)
import Glibc
#endif

/// Walks the fixed-depth prefix directories of the store with
/// opendir/readdir (d_type, so no stat for the directories themselves).
enum DirectoryWalk {
    /// Calls `visit(directoryFD, name, size, mtime)` for each regular file
    /// `depth` levels below `path` (fewer if the tree is shallower). A
    /// missing `path` visits nothing.
    static func files(
        under path: String, depth: Int, needStat: Bool = true,
        _ visit: (Int32, String, Int, timespec) throws(StoreError) -> Void
    ) throws(StoreError) {
        guard let directory = opendir(path) else {
            if errno == ENOENT || errno == ENOTDIR { return }
            throw .system(call: "opendir(\(path))", errno: errno)
        }
        defer { closedir(directory) }
        let fd = dirfd(directory)
        while let entry = readdir(directory) {
            let type = entry.pointee.d_type
            let name = withUnsafePointer(to: &entry.pointee.d_name) {
                String(cString: UnsafeRawPointer($0).assumingMemoryBound(to: CChar.self))
            }
            if name == "." || name == ".." { continue }
            if type == UInt8(DT_DIR) {
                if depth > 0 { try files(under: path + "/" + name, depth: depth - 1, needStat: needStat, visit) }
                continue
            }
            guard type == UInt8(DT_REG) || type == UInt8(DT_UNKNOWN) else { continue }
            if !needStat {
                try visit(fd, name, 0, timespec())
                continue
            }
            var info = stat()
            guard fstatat(fd, name, &info, 0) == 0 else { continue }  // removed meanwhile
            if (info.st_mode & S_IFMT) == S_IFDIR {
                if depth > 0 { try files(under: path + "/" + name, depth: depth - 1, needStat: needStat, visit) }
                continue
            }
            try visit(fd, name, Int(info.st_size), info.st_mtim)
        }
    }
}
