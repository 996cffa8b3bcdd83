import EventCore
#if canImport(Glibc)
import Glibc
#endif

/// A resumable walk of the fixed-depth prefix directories of the store: a
/// stack of open directories (at most depth + 1 descriptors), advanced one
/// file at a time by `next()`, so a listing can stop after a chunk's worth
/// of ids, hand the chunk out, and go on later, on whatever thread, from
/// where it stopped. Each directory is opened relative to its parent with
/// openat/fdopendir (no path is rebuilt or resolved again), d_type spares a
/// stat for directories and, when only names are needed, for files, and
/// names are handed out as bytes: a `String` is made only for what a caller
/// keeps. Used by one thread at a time.
final class DirectoryCursor {
    private struct Level {
        let stream: OpaquePointer
        let fd: Int32
        /// How many levels of directories may still be entered below this one.
        let depth: Int
    }

    private var stack: [Level] = []
    private let root: String
    private let needStat: Bool

    /// Opens `path`, to walk the regular files `depth` levels below it (or
    /// fewer, if the tree is shallower). A missing `path` walks nothing.
    init(path: String, depth: Int, needStat: Bool) throws(StoreError) {
        root = path
        self.needStat = needStat
        stack.reserveCapacity(depth + 1)
        let fd: Int32
        do {
            fd = try syscall("open(directory)") { Glibc.open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC) }
        } catch where error.errno == ENOENT || error.errno == ENOTDIR {
            return
        } catch {
            throw StoreError(error, path: path)
        }
        try push(fd, depth: depth)
    }

    /// Open directory descriptors now held: at most depth + 1.
    var openDirectories: Int { stack.count }

    private static let nameOffset = MemoryLayout<dirent>.offset(of: \dirent.d_name)!

    /// The next regular file, or nil once the walk is complete (everything
    /// is then closed). The entry is valid until the next call.
    func next() throws(StoreError) -> DirectoryWalk.Entry? {
        while let top = stack.last {
            guard let entry = readdir(top.stream) else {
                closedir(top.stream)
                stack.removeLast()
                continue
            }
            let type = entry.pointee.d_type
            let raw = UnsafeRawPointer(entry).advanced(by: Self.nameOffset).assumingMemoryBound(to: UInt8.self)
            let cName = UnsafeRawPointer(raw).assumingMemoryBound(to: CChar.self)
            let name = UnsafeBufferPointer(start: raw, count: strlen(cName))
            if name.first == UInt8(ascii: ".") && (name.count == 1 || (name.count == 2 && name[1] == UInt8(ascii: "."))) { continue }
            if type == UInt8(DT_DIR) {
                if top.depth > 0 { try descend(top, cName) }
                continue
            }
            guard type == UInt8(DT_REG) || type == UInt8(DT_UNKNOWN) else { continue }
            // Some file systems (network ones among them) leave d_type
            // unknown: only a stat then tells a prefix directory from a blob.
            if !needStat && type == UInt8(DT_REG) {
                return DirectoryWalk.Entry(directory: top.fd, name: name, size: 0, modified: timespec())
            }
            var info = stat()
            guard fstatat(top.fd, cName, &info, AT_SYMLINK_NOFOLLOW) == 0 else { continue }  // removed meanwhile
            switch info.st_mode & S_IFMT {
            case S_IFDIR: if top.depth > 0 { try descend(top, cName) }
            case S_IFREG: return DirectoryWalk.Entry(directory: top.fd, name: name, size: Int(info.st_size), modified: info.st_mtim)
            default: break
            }
        }
        return nil
    }

    private func descend(_ parent: Level, _ name: UnsafePointer<CChar>) throws(StoreError) {
        let child: Int32
        do {
            child = try syscall("openat(directory)") {
                openat(parent.fd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC)
            }
        } catch where error.errno == ENOENT || error.errno == ENOTDIR {
            return  // removed meanwhile
        } catch {
            throw StoreError(error, path: root)
        }
        try push(child, depth: parent.depth - 1)
    }

    private func push(_ fd: Int32, depth: Int) throws(StoreError) {
        guard let stream = fdopendir(fd) else {
            let code = errno
            Glibc.close(fd)
            throw .system(call: "fdopendir", errno: code, path: root)
        }
        stack.append(Level(stream: stream, fd: fd, depth: depth))
    }

    /// Closes every directory still open; the walk then yields nothing.
    func close() {
        while let level = stack.popLast() { closedir(level.stream) }
    }

    deinit {
        // Not an assertion: a walk whose listing was dropped with the worker
        // stopping is let go here, and its directories with it.
        close()
    }
}
