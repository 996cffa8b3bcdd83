#if canImport(Glibc)
import Glibc
#endif

/// CPU seconds (user + system) a process has used, from /proc/PID/stat:
/// the autoscaler's load signal.
enum ProcessCPUTime {
    private static let ticksPerSecond = Double(sysconf(Int32(_SC_CLK_TCK)))

    /// Nil if the process is gone or /proc cannot say.
    static func seconds(of pid: Int32) -> Double? {
        let fd = open("/proc/\(pid)/stat", O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { return nil }
        defer { close(fd) }
        var bytes = [UInt8](repeating: 0, count: 1024)
        let count = bytes.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
        guard count > 0 else { return nil }
        // "pid (name) state ...": the name may hold spaces and parentheses,
        // so fields count from the last ')'. utime and stime are fields 14
        // and 15, the 12th and 13th after it.
        guard let nameEnd = bytes[..<count].lastIndex(of: UInt8(ascii: ")")) else { return nil }
        let fields = bytes[(nameEnd + 1)..<count].split(separator: UInt8(ascii: " "))
        guard fields.count > 12, let user = Double(String(decoding: fields[11], as: UTF8.self)),
              let system = Double(String(decoding: fields[12], as: UTF8.self)) else { return nil }
        return (user + system) / ticksPerSecond
    }
}
