#if canImport(Glibc)
import Glibc
#endif

/// A monotonic clock in microseconds: latencies and wall time must not jump
/// when the system clock is set, and must cost no allocation per request.
/// Also the process's CPU clock, so a run reports what the client cost.
enum Clock {
    static func microseconds() -> UInt64 {
        var spec = timespec()
        clock_gettime(CLOCK_MONOTONIC, &spec)
        return UInt64(spec.tv_sec) * 1_000_000 + UInt64(spec.tv_nsec) / 1000
    }

    /// CPU time of this process (all threads, user + system) in microseconds.
    static func processCPUMicroseconds() -> UInt64 {
        var spec = timespec()
        clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &spec)
        return UInt64(spec.tv_sec) * 1_000_000 + UInt64(spec.tv_nsec) / 1000
    }
}
