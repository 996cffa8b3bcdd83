/// How a child process ended, from its wait status. The shell's reaper
/// decodes `waitpid`'s raw status (WIFEXITED and friends live in CShims);
/// the machine only needs to tell the boot-failure code from any other end.
public enum ExitStatus: Equatable, Sendable, CustomStringConvertible {
    /// `exit(code)`: code 3 (`SupervisorConfig.bootFailureCode`) means the
    /// child could not start and would fail the same way if respawned.
    case exited(code: Int32)
    /// Ended by a signal (KILL from us, the OOM killer, `kill -9` by hand).
    case signaled(Int32)

    public var description: String {
        switch self {
        case .exited(let code): return "exited with code \(code)"
        case .signaled(let signal): return "killed by signal \(signal)"
        }
    }
}
