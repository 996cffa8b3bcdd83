import EventCore
#if canImport(Glibc)
import Glibc
#endif

/// A pipe whose write end stays with the supervisor (close-on-exec, so no
/// child inherits it) and whose read end becomes a child's stdin: the
/// workers' lifeline (EOF when the supervisor dies). One owner closes both
/// ends once. (A balancer's stdin is a `ControlLink`, which answers back.)
final class ParentPipe {
    private(set) var readEnd: Int32
    private(set) var writeEnd: Int32

    init() throws(SystemError) {
        var fds: [Int32] = [-1, -1]
        try syscall("pipe") { pipe(&fds) }
        readEnd = fds[0]
        writeEnd = fds[1]
        // Close-on-exec on both: a child gets the read end only as its stdin
        // (dup2 clears the flag on the copy); no child ever holds the write end.
        _ = fcntl(readEnd, F_SETFD, FD_CLOEXEC)
        _ = fcntl(writeEnd, F_SETFD, FD_CLOEXEC)
    }

    /// Closes our copy of the read end once the child has its own.
    func closeReadEnd() {
        if readEnd >= 0 { Glibc.close(readEnd) }
        readEnd = -1
    }

    func close() {
        closeReadEnd()
        if writeEnd >= 0 { Glibc.close(writeEnd) }
        writeEnd = -1
    }

    deinit {
        assert(readEnd < 0 && writeEnd < 0, "ParentPipe not closed")
    }
}
