import EventCore
#if canImport(Glibc)
import Glibc
#endif

/// An access log's descriptor: a file opened for appending, or standard
/// error for `-`. Owns a file's descriptor (`close()` once; `deinit`
/// asserts it), never standard error's.
///
/// Every worker of a cluster appends to the same file: it is opened with
/// O_APPEND, so each `write(2)` lands whole at the end of the file, and
/// since every write the batch makes holds whole lines, lines of different
/// workers never interleave within a line.
public final class LogFile: LogWriter {
    public let path: String
    private var fd: Int32
    private let owned: Bool

    /// Opens `path` (created 0644 if missing) for appending; `-` is stderr.
    public init(path: String) throws(SystemError) {
        self.path = path
        if path == "-" {
            fd = STDERR_FILENO
            owned = false
        } else {
            fd = try syscall("open") { open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0o644) }
            owned = true
        }
    }

    /// Standard error is not reopened: a rotation has nothing to do there.
    public var isReopenable: Bool { owned }

    /// One `write(2)` of whole lines. A short write (the disk filled) is a
    /// failure: its rest is dropped, not written after other workers' lines.
    public func write(_ bytes: UnsafeRawBufferPointer) -> Int32? {
        while true {
            let written = Glibc.write(fd, bytes.baseAddress, bytes.count)
            if written == bytes.count { return nil }
            if written < 0 && errno == EINTR { continue }
            return written < 0 ? errno : ENOSPC
        }
    }

    public func close() {
        guard fd >= 0 else { return }
        if owned { Glibc.close(fd) }
        fd = -1
    }

    deinit {
        assert(fd < 0, "LogFile not closed")
    }
}
