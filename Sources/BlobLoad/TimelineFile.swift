import ArgumentParser
import CommandLineSupport
#if canImport(Glibc)
import Glibc
#endif

/// Where `--timeline` (or `--latencies`) lines go: a file made (or emptied) at start, or
/// standard output for `-`. Each batch is one unbuffered write, so a script
/// can follow the run while it goes and the lines come before the report.
/// Owns the descriptor it opened and closes it once.
final class TimelineFile {
    private var fd: Int32
    private let ownsDescriptor: Bool

    /// Opens `path` for writing; a path that cannot be opened is a usage error.
    init(path: String, flag: String) throws {
        if path == "-" {
            fd = 1
            ownsDescriptor = false
        } else {
            fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
            ownsDescriptor = true
            guard fd >= 0 else {
                throw ValidationError("\(flag): cannot write \(path): \(String(cString: strerror(errno)))")
            }
        }
    }

    func write(_ lines: [String]) {
        guard fd >= 0, !lines.isEmpty else { return }
        Console.write(Array(lines.map { $0 + "\n" }.joined().utf8), to: fd)
    }

    func close() {
        guard fd >= 0 else { return }
        if ownsDescriptor { Glibc.close(fd) }
        fd = -1
    }

    deinit {
        assert(fd < 0, "TimelineFile not closed")
    }
}
