#if canImport(Glibc)
import Glibc
#endif

/// Process limits, raised at start by every program.
public enum Resources {
    /// Raises the open-file soft limit to the hard one: a proxy holds two
    /// descriptors per client, a worker one per client and open blob.
    public static func raiseDescriptorLimit() {
        var limit = rlimit()
        if getrlimit(__rlimit_resource_t(RLIMIT_NOFILE.rawValue), &limit) == 0 && limit.rlim_cur < limit.rlim_max {
            limit.rlim_cur = limit.rlim_max
            setrlimit(__rlimit_resource_t(RLIMIT_NOFILE.rawValue), &limit)
        }
    }
}
