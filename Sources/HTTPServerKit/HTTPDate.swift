#if canImport(Glibc)
import Glibc
#endif

/// The `Date` header's bytes, formatted once a second rather than once a
/// request (nginx caches it the same way).
public final class HTTPDate {
    private var second: Int = -1
    private var cached: [UInt8] = []

    public init() {}

    /// `Date: Mon, 23 Nov 2026 07:40:01 GMT\r\n` for the current second.
    public func headerLine(now: Int) -> [UInt8] {
        if now != second {
            second = now
            var seconds = time_t(now)
            var parts = tm()
            gmtime_r(&seconds, &parts)
            var buffer = [CChar](repeating: 0, count: 64)
            strftime(&buffer, buffer.count, "Date: %a, %d %b %Y %H:%M:%S GMT\r\n", &parts)
            cached = Array(String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self).utf8)
        }
        return cached
    }
}
