import BlobProtocol
import CShims
#if canImport(Glibc)
import Glibc
#endif

/// Idempotency keys kept with what they created: an extended attribute on
/// the blob's file (set on the temporary file before `link()`, so the blob
/// and its key appear together) and on the tombstone a DELETE leaves. No
/// second file, no index: the key lives and dies with the file it explains.
/// File systems without user extended attributes (some NFS and FUSE
/// mounts) record nothing; the worker says so at start, and repeats then
/// get today's 409 and 404.
extension BlobStore {
    static let keyAttribute = "user.blobs.idempotency-key"

    /// Whether files in the store take the attribute: probed once, at start.
    static func probeKeySupport(root: String, tag: String) -> Bool {
        let probe = root + "/.xattr-probe." + tag
        let fd = Glibc.open(probe, O_WRONLY | O_CREAT | O_CLOEXEC, 0o600)
        guard fd >= 0 else { return false }
        defer { Glibc.close(fd); unlink(probe) }
        return cshims_fsetxattr(fd, keyAttribute, "probe", 5) == 0
    }

    /// Records `key` on an open file (best effort: a failure only means a
    /// later repeat is answered as today, never a wrong answer).
    func record(_ key: IdempotencyKey?, on fd: Int32) {
        guard let key, keysSupported else { return }
        _ = key.value.withCString { cshims_fsetxattr(fd, Self.keyAttribute, $0, UInt(strlen($0))) }
    }

    /// Whether the file at `path` was made by a request carrying `key`.
    func wasMade(by key: IdempotencyKey?, at path: String) -> Bool {
        guard let key, keysSupported else { return false }
        var buffer = [UInt8](repeating: 0, count: 256)
        let count = buffer.withUnsafeMutableBytes { cshims_getxattr(path, Self.keyAttribute, $0.baseAddress, UInt($0.count)) }
        return count > 0 && buffer.prefix(count).elementsEqual(key.value.utf8)
    }
}
