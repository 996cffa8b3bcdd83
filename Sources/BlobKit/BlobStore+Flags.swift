import BlobProtocol
#if canImport(Glibc)
import Glibc
#endif

/// A blob's flags: `{id}.flags` next to it, a JSON list replaced whole with
/// one `rename()` and bound to the blob it was set on (BlobStore+Generations).
extension BlobStore {
    /// The blob's flags: [] when it has none, or when the stored ones were
    /// set on an earlier blob of the same id (BlobStore+Generations).
    public func flags(user: BlobName, namespace: BlobName, id: BlobName) throws(StoreError) -> [String] {
        let base = blobPath(user, namespace, id)
        let blobGeneration = try generation(ofBlob: base)
        guard let bytes = try Self.readSmallFile(base + ".flags") else { return [] }
        guard flagsFile(at: base + ".flags", belongTo: blobGeneration) else { return [] }
        do {
            return try FlagList.parse(bytes)
        } catch {
            throw .corruptFlags
        }
    }

    /// Replaces the flags atomically; `unknownFlag` (406) leaves them as they were.
    /// Steps (CrashPoint): 1. the new flags are in a temporary file, carrying
    /// the blob's generation, synced with --fsync; 2. renamed over
    /// `{id}.flags` (the one step that changes them), then the directory
    /// is synced. A crash after 1 leaves the old flags and a temporary file
    /// that the sweep removes; after 2, the new flags.
    public func setFlags(_ flags: [String], user: BlobName, namespace: BlobName, id: BlobName) throws(StoreError) {
        if let unknown = flags.first(where: { !FlagList.known.contains($0) }) { throw .unknownFlag(unknown) }
        let directory = directory(user, namespace, id)
        let base = directory + "/" + id.value
        let blobGeneration = try generation(ofBlob: base)
        let temporary = directory + "/" + temporaryName(for: id, suffix: ".flags")
        let fd = try StoreError.syscall("open(flags)", path: temporary) {
            Glibc.open(temporary, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o644)
        }
        // Every failure (ENOSPC from write, fsync, close or rename) removes
        // the temporary file: the old flags stay, nothing partial is left.
        do {
            try Self.writeAll(fd, FlagList.encode(flags), path: temporary)
            record(blobGeneration, on: fd)
            try sync(fd, "fsync(flags)", path: temporary)
        } catch {
            Glibc.close(fd)
            unlink(temporary)
            throw error
        }
        // Not retried: after EINTR the descriptor is gone too.
        if Glibc.close(fd) != 0 && errno != EINTR {
            let code = errno
            unlink(temporary)
            throw .system(call: "close(flags)", errno: code, path: temporary)
        }
        crashPoint.reached(.flags, step: 1)
        do {
            try StoreError.syscall("rename(flags)", path: base + ".flags") { rename(temporary, base + ".flags") }
        } catch {
            unlink(temporary)
            throw error
        }
        crashPoint.reached(.flags, step: 2)
        try syncDirectory(directory)
    }
}
