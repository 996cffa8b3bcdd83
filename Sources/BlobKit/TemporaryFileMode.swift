#if canImport(Glibc)
import Glibc
#endif

/// How a blob is staged before its one `link()`: as an unnamed `O_TMPFILE`
/// (published with `linkat` through `/proc/self/fd`, so a crash leaves
/// nothing), or, where the file system lacks it (NFS, GlusterFS, FUSE), as
/// a named dot file `.{id}.{pid}-{rand}-{n}` that the sweep removes once stale.
public enum TemporaryFileMode: String, Sendable {
    case unnamed
    case named

    /// `O_TMPFILE` as Linux defines it on every architecture (Swift cannot
    /// import the macro): `__O_TMPFILE | O_DIRECTORY`.
    static let openFlag: Int32 = 0o20000000 | O_DIRECTORY

    /// The errors that mean "this file system has no `O_TMPFILE`" (older
    /// kernels report EISDIR or EINVAL, file systems EOPNOTSUPP).
    static func meansUnsupported(_ code: Int32) -> Bool {
        code == EOPNOTSUPP || code == EISDIR || code == EINVAL
    }

    /// Probes `root` once: an unnamed file is made and linked under a
    /// probe name, then removed. Any failure (no `O_TMPFILE`, no `/proc`)
    /// means named files.
    static func probe(root: String, tag: String) -> TemporaryFileMode {
        let fd = Glibc.open(root, openFlag | O_WRONLY | O_CLOEXEC, 0o600)
        guard fd >= 0 else { return .named }
        defer { Glibc.close(fd) }
        let probe = root + "/.tmpfile-probe." + tag
        guard linkat(AT_FDCWD, "/proc/self/fd/\(fd)", AT_FDCWD, probe, AT_SYMLINK_FOLLOW) == 0 else { return .named }
        unlink(probe)
        return .unnamed
    }
}
