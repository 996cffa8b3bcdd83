#if canImport(Glibc)
import Glibc
#endif

/// Seconds on the monotonic clock (a vDSO call, no system call): request
/// latencies must not jump when the wall clock is set, and the loop's
/// cached time would make every answer given in one pass take zero.
public enum MonotonicClock {
    public static func seconds() -> Double {
        var spec = timespec()
        clock_gettime(CLOCK_MONOTONIC, &spec)
        return Double(spec.tv_sec) + Double(spec.tv_nsec) / 1e9
    }
}
