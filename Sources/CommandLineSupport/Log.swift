import Logging
#if canImport(Glibc)
import Glibc
#endif

/// Logging set-up shared by every program: one line per event on stderr,
/// each with the program's role and pid, e.g.
/// `2026-11-23T07:40:01Z blob-server[4121] info: listening on 127.0.0.1:8001`.
public enum Log {
    /// Bootstraps swift-log once and returns the process's logger.
    public static func setUp(role: String, level: Logger.Level) -> Logger {
        let pid = getpid()
        LoggingSystem.bootstrap { _ in LineLogHandler(role: role, pid: pid, logLevel: level) }
        var logger = Logger(label: role)
        logger.logLevel = level
        return logger
    }
}

/// Writes `time role[pid] level: message key=value` lines to stderr.
struct LineLogHandler: LogHandler {
    let role: String
    let pid: Int32
    var logLevel: Logger.Level
    var metadata: Logger.Metadata = [:]

    init(role: String, pid: Int32, logLevel: Logger.Level) {
        self.role = role
        self.pid = pid
        self.logLevel = logLevel
    }

    subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    func log(event: LogEvent) {
        var line = "\(Self.timestamp()) \(role)[\(pid)] \(event.level): \(event.message)"
        let merged = metadata.merging(event.metadata ?? [:]) { $1 }
        for (key, value) in merged.sorted(by: { $0.key < $1.key }) { line += " \(key)=\(value)" }
        line += "\n"
        var bytes = Array(line.utf8)
        _ = bytes.withUnsafeMutableBytes { Glibc.write(2, $0.baseAddress, $0.count) }
    }

    private static func timestamp() -> String {
        var now = time(nil)
        var parts = tm()
        gmtime_r(&now, &parts)
        var buffer = [CChar](repeating: 0, count: 32)
        strftime(&buffer, buffer.count, "%Y-%m-%dT%H:%M:%SZ", &parts)
        return String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }
}
