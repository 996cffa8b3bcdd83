import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// CPU time a process (or one of its threads) has used, from
/// /proc/PID/stat: what tells a worker that waits from one that spins.
enum ProcessCPU {
    /// User plus system seconds of `pid`, or of its thread `thread` (the
    /// loop thread's id is the pid), -1 if /proc cannot say.
    static func seconds(pid: Int32, thread: Int32? = nil) -> Double {
        let path = thread.map { "/proc/\(pid)/task/\($0)/stat" } ?? "/proc/\(pid)/stat"
        guard let text = try? String(contentsOfFile: path, encoding: .utf8),
              let nameEnd = text.lastIndex(of: ")") else { return -1 }
        // After "pid (name)": field 3 (state) is index 0, utime (14) index 11, stime (15) index 12.
        let fields = text[text.index(after: nameEnd)...].split(separator: " ")
        guard fields.count > 12, let user = Double(fields[11]), let system = Double(fields[12]) else { return -1 }
        return (user + system) / Double(sysconf(Int32(_SC_CLK_TCK)))
    }
}
