#if canImport(Glibc)
import Glibc
#endif

/// Writes whole lines straight to standard output (unbuffered), for the
/// one "listening on" / "ready" line that scripts and supervisors wait for;
/// and bytes to any descriptor the same way.
public enum Console {
    public static func line(_ text: String) {
        write(Array((text + "\n").utf8), to: 1)
    }

    /// All of `bytes` to `fd`, retrying short writes and EINTR; gives up
    /// quietly if the descriptor cannot take them (a closed pipe).
    public static func write(_ bytes: [UInt8], to fd: Int32) {
        var offset = 0
        while offset < bytes.count {
            let written = bytes[offset...].withUnsafeBytes { Glibc.write(fd, $0.baseAddress, $0.count) }
            if written < 0 && errno == EINTR { continue }
            if written <= 0 { return }
            offset += written
        }
    }
}
