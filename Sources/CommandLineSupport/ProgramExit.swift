import ArgumentParser

/// Exit codes shared by the programs, so the supervisor can tell a child
/// that cannot start (and must not be respawned forever) from one that died.
public enum ProgramExit {
    public static let success: Int32 = 0
    /// Bad command line (ArgumentParser's own code for a validation error).
    public static let usage: Int32 = 64
    /// Could not start: port in use, store not writable, bad config file.
    public static let bootFailure: Int32 = 3
}

extension ExitCode {
    /// What a program throws when it cannot start (after logging why).
    public static let bootFailure = ExitCode(ProgramExit.bootFailure)
}
