import BlobProtocol
#if canImport(Glibc)
import Glibc
#endif

/// Walks a store and reports what is not a clean Soledad layout (see
/// `StoreFinding.Kind`); with `repair`, removes what is safe to remove.
/// Meant for a quiet store (workers stopped or idle): every removal
/// re-checks its condition first, but a DELETE racing the check could
/// still lose its tombstone.
///
/// What repair removes, and why that is safe:
/// - a temporary file older than `temporaryAge` whose writer's pid is not
///   running on this host: no writer will ever link or rename it (a live
///   upload touches its file at every write, and idle uploads time out);
/// - flags without a blob: nothing can read them, and a later PUT of the
///   id must start without flags;
/// - the tombstone of a live blob: the blob is what every GET and listing
///   serves. Both exist only after a crash between a PUT's `link()` and its
///   removal of the old tombstone (the blob is the newer fact), or between
///   a DELETE's tombstone and its `unlink()` (that DELETE was never
///   answered 200). Deleting the blob instead could destroy an
///   acknowledged upload; dropping the tombstone loses nothing answered.
/// Unknown files are never touched.
public struct StoreCheck {
    public let root: String
    public let repair: Bool
    /// Seconds a temporary file must be old before repair removes it.
    public let temporaryAge: Double
    /// Whether a pid is a live process on this host (replaced in tests).
    let isRunning: (Int32) -> Bool

    public init(root: String, repair: Bool, temporaryAge: Double,
                isRunning: @escaping (Int32) -> Bool = WriterProcess.isRunningOnThisHost) {
        self.root = root.hasSuffix("/") && root.count > 1 ? String(root.dropLast()) : root
        self.repair = repair
        self.temporaryAge = temporaryAge
        self.isRunning = isRunning
    }

    /// Checks (and repairs) the whole store; fails only if a directory of
    /// it cannot be read.
    public func run() throws(StoreError) -> StoreCheckReport {
        var walk = StoreCheckWalk(check: self, now: Self.now())
        try walk.walkRoot()
        return StoreCheckReport(root: root, repaired: repair, blobs: walk.blobs, findings: walk.findings)
    }

    private static func now() -> Double {
        var time = timespec()
        clock_gettime(CLOCK_REALTIME, &time)
        return Double(time.tv_sec) + Double(time.tv_nsec) / 1e9
    }
}
