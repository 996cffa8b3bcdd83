#if canImport(Glibc)
import Glibc
#endif

/// What a `200` survives: a crash of the process only (nothing synced), or
/// also a power loss (`--fsync`: every file and directory entry a change
/// made is synced before the answer). `sync` is `fsync(2)` except in tests,
/// which count the calls or make them fail.
public enum Durability: Sendable {
    case processCrash
    case powerLoss(sync: @Sendable (Int32) -> Int32)

    /// `--fsync`.
    public static let fsync = Durability.powerLoss { Glibc.fsync($0) }
}
