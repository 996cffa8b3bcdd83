#if canImport(Glibc)
import Glibc
#endif

/// Process limits, raised at start by every program.
public enum Resources {
    /// Raises the open-file soft limit to the hard one (a proxy holds two
    /// descriptors per client, a worker one per client and open blob) and
    /// returns the soft limit now in force, for sizing connection caps.
    @discardableResult
    public static func raiseDescriptorLimit() -> Int {
        var limit = rlimit()
        guard getrlimit(__rlimit_resource_t(RLIMIT_NOFILE.rawValue), &limit) == 0 else { return 1024 }
        if limit.rlim_cur < limit.rlim_max {
            var raised = limit
            raised.rlim_cur = limit.rlim_max
            if setrlimit(__rlimit_resource_t(RLIMIT_NOFILE.rawValue), &raised) == 0 { limit = raised }
        }
        return Int(clamping: limit.rlim_cur)  // RLIM_INFINITY clamps to Int.max
    }
}
