/// Exit codes shared by the programs, so the supervisor can tell a child
/// that cannot start (and must not be respawned forever) from one that died.
public enum ProgramExit {
    public static let success: Int32 = 0
    /// Bad command line (ArgumentParser's own code).
    public static let usage: Int32 = 64
    /// Could not start: port in use, store not writable, bad config file.
    public static let bootFailure: Int32 = 3
}
