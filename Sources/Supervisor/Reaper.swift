import CShims
import SupervisorKit
#if canImport(Glibc)
import Glibc
#endif

/// Collects every exited child (`waitpid(-1, WNOHANG)` until none is left),
/// turning raw wait statuses into `ExitStatus`.
enum Reaper {
    static func reap() -> [(pid: pid_t, status: ExitStatus)] {
        var exited: [(pid_t, ExitStatus)] = []
        while true {
            var raw: Int32 = 0
            let pid = waitpid(-1, &raw, WNOHANG)
            if pid < 0 && errno == EINTR { continue }
            guard pid > 0 else { return exited }
            if cshims_wifexited(raw) != 0 {
                exited.append((pid, .exited(code: cshims_wexitstatus(raw))))
            } else if cshims_wifsignaled(raw) != 0 {
                exited.append((pid, .signaled(cshims_wtermsig(raw))))
            }
        }
    }
}
