import EventCore
#if canImport(Glibc)
import Glibc
#endif

/// Walks the fixed-depth prefix directories of the store with
/// openat/fdopendir/readdir. Each directory is opened relative to its
/// parent (no path is rebuilt or resolved again), d_type spares a stat for
/// directories and, when only names are needed, for files, and names are
/// handed out as bytes: a `String` is made only for what a caller keeps.
/// With random ids nearly every blob has a leaf directory of its own, so
/// the cost per directory is the cost per blob.
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
        let fd: Int32
        do {
            fd = try syscall("open(directory)") { Glibc.open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC) }
        } catch where error.errno == ENOENT || error.errno == ENOTDIR {
            return
        } catch {
            throw StoreError(error, path: path)
        }
        try walk(fd, root: path, depth: depth, needStat: needStat, visit)
    }

    private static let nameOffset = MemoryLayout<dirent>.offset(of: \dirent.d_name)!

    /// Walks the directory open on `fd`, and closes it; `root` is where
    /// the walk began, named in errors (for the log).
    private static func walk(
        _ fd: Int32, root: String, depth: Int, needStat: Bool, _ visit: (Entry) throws(StoreError) -> Void
    ) throws(StoreError) {
        guard let directory = fdopendir(fd) else {
            let code = errno
            Glibc.close(fd)
            throw .system(call: "fdopendir", errno: code, path: root)
        }
        defer { closedir(directory) }
        while let entry = readdir(directory) {
            let type = entry.pointee.d_type
            let raw = UnsafeRawPointer(entry).advanced(by: nameOffset).assumingMemoryBound(to: UInt8.self)
            let cName = UnsafeRawPointer(raw).assumingMemoryBound(to: CChar.self)
            let name = UnsafeBufferPointer(start: raw, count: strlen(cName))
            if name.first == UInt8(ascii: ".") && (name.count == 1 || (name.count == 2 && name[1] == UInt8(ascii: "."))) { continue }
            if type == UInt8(DT_DIR) {
                if depth > 0 { try descend(fd, raw, root: root, depth: depth, needStat: needStat, visit) }
                continue
            }
            guard type == UInt8(DT_REG) || type == UInt8(DT_UNKNOWN) else { continue }
            // Some file systems (network ones among them) leave d_type
            // unknown: only a stat then tells a prefix directory from a blob.
            if !needStat && type == UInt8(DT_REG) {
                try visit(Entry(directory: fd, name: name, size: 0, modified: timespec()))
                continue
            }
            var info = stat()
            guard fstatat(fd, cName, &info, AT_SYMLINK_NOFOLLOW) == 0 else { continue }  // removed meanwhile
            switch info.st_mode & S_IFMT {
            case S_IFDIR: if depth > 0 { try descend(fd, raw, root: root, depth: depth, needStat: needStat, visit) }
            case S_IFREG: try visit(Entry(directory: fd, name: name, size: Int(info.st_size), modified: info.st_mtim))
            default: break
            }
        }
    }

    private static func descend(
        _ parent: Int32, _ name: UnsafePointer<UInt8>, root: String, depth: Int, needStat: Bool,
        _ visit: (Entry) throws(StoreError) -> Void
    ) throws(StoreError) {
        let child: Int32
        do {
            child = try syscall("openat(directory)") {
                openat(parent, UnsafeRawPointer(name).assumingMemoryBound(to: CChar.self), O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC)
            }
        } catch where error.errno == ENOENT || error.errno == ENOTDIR {
            return  // removed meanwhile
        } catch {
            throw StoreError(error, path: root)
        }
        try walk(child, root: root, depth: depth - 1, needStat: needStat, visit)
    }
}
