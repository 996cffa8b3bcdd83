import EventCore
#if canImport(Glibc)
import Glibc
#endif

/// Removes the named temporary files no writer will finish: dot files of
/// the store (`.{id}.{pid}-{rand}-{n}`, `.{id}.flags.…`, the probes' files)
/// last modified more than `maxAge` ago whose writer is gone. The writer is
/// known by the `{pid}-{rand}` the name embeds: a pid alive on this host
/// (kill(pid, 0) is 0 or EPERM) keeps its files, whatever their age, unless
/// it is this process's own pid with another `{rand}` (an earlier process
/// that had the same pid). Writers on other hosts sharing the store are
/// protected by the age alone: a writer touches its file with every write,
/// and no upload stays idle for `--idle-timeout`, so `maxAge` well above it
/// never removes a file still being written. Runs off the loop.
public struct TemporaryFileSweep: Sendable {
    let root: String
    let maxAge: Double
    let ownPID: Int32
    let ownRandom: UInt32

    public init(store: BlobStore, maxAge: Double) {
        root = store.root
        self.maxAge = maxAge
        let tag = TemporaryFileSweep.writer(fromTag: Substring(store.tempTag))
        ownPID = tag?.pid ?? getpid()
        ownRandom = tag?.random ?? 0
    }

    /// How often to sweep: a quarter of the age bound, at most once a minute.
    public var interval: Double { max(maxAge / 4, 60) }

    /// Sweeps once; the number of files removed.
    public func run() -> Result<Int, StoreError> {
        var now = timespec()
        clock_gettime(CLOCK_REALTIME, &now)
        var removed = 0
        do throws(StoreError) {
            // ROOT/{user}/{namespace}/{p1}/{p3}/{p6}/file: five levels down.
            try DirectoryWalk.files(under: root, depth: 5, needStat: false) { entry in
                guard entry.name.first == UInt8(ascii: "."), isStale(entry, now: now) else { return }
                if unlinkat(entry.directory, Self.cName(entry.name), 0) == 0 { removed += 1 }
            }
        } catch {
            return .failure(error)
        }
        return .success(removed)
    }

    private func isStale(_ entry: DirectoryWalk.Entry, now: timespec) -> Bool {
        guard let writer = Self.writer(fromName: entry.name) else { return false }  // not one of ours
        var info = stat()
        guard fstatat(entry.directory, Self.cName(entry.name), &info, AT_SYMLINK_NOFOLLOW) == 0 else { return false }
        guard Double(now.tv_sec - info.st_mtim.tv_sec) > maxAge else { return false }
        if writer.pid == ownPID { return writer.random != ownRandom }
        return !WriterProcess.isRunningOnThisHost(writer.pid)
    }

    /// The writer a temporary name embeds: the text after its last dot is
    /// `{pid}-{rand}` or `{pid}-{rand}-{n}`.
    static func writer(fromName name: UnsafeBufferPointer<UInt8>) -> (pid: Int32, random: UInt32)? {
        guard let dot = name.lastIndex(of: UInt8(ascii: ".")), dot > 0 else { return nil }
        return writer(fromTag: Substring(decoding: UnsafeBufferPointer(rebasing: name[(dot + 1)...]), as: UTF8.self))
    }

    static func writer(fromTag tag: Substring) -> (pid: Int32, random: UInt32)? {
        WriterProcess(tag: tag).map { ($0.pid, $0.random) }
    }

    private static func cName(_ name: UnsafeBufferPointer<UInt8>) -> [CChar] {
        var path = [CChar]()
        path.reserveCapacity(name.count + 1)
        for byte in name { path.append(CChar(bitPattern: byte)) }
        path.append(0)
        return path
    }
}
