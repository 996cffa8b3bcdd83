#if canImport(Glibc)
import Glibc
#endif

/// `[03/Dec/2026:12:00:00 +0000]`, nginx's `$time_local` in UTC, formatted
/// once a second rather than once a line (as the `Date` header is).
final class AccessLogTime {
    private var second = -1
    private(set) var bracketed: [UInt8] = []

    /// The bracketed time of `now` (wall-clock seconds since the epoch).
    func bracketed(now: Int) -> [UInt8] {
        if now != second {
            second = now
            bracketed = Self.format(now)
        }
        return bracketed
    }

    static func format(_ now: Int) -> [UInt8] {
        var seconds = time_t(now)
        var parts = tm()
        gmtime_r(&seconds, &parts)
        var buffer = [CChar](repeating: 0, count: 64)
        let count = strftime(&buffer, buffer.count, "[%d/%b/%Y:%H:%M:%S +0000]", &parts)
        return buffer.prefix(count).map { UInt8(bitPattern: $0) }
    }
}
