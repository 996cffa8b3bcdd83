/// What tests read from `blob-cluster`'s log: which worker runs where.
public enum SupervisorLog {
    /// Port → pid of the worker booted last on it, from the supervisor's
    /// `booting worker (pid N) on :PORT` lines.
    public static func workerPids(in log: String) -> [Int: Int32] {
        var byPort: [Int: Int32] = [:]
        for line in log.split(separator: "\n") where line.contains("booting worker (pid ") {
            guard let afterPid = line.components(separatedBy: "(pid ").last,
                  let pid = Int32(afterPid.prefix { $0.isNumber }),
                  let port = Int(line.components(separatedBy: "on :").last ?? "") else { continue }
            byPort[port] = pid
        }
        return byPort
    }
}
