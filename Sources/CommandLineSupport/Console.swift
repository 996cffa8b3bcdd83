#if canImport(Glibc)
import Glibc
#endif

/// Writes whole lines straight to standard output (unbuffered), for the
/// one "listening on" / "ready" line that scripts and supervisors wait for.
public enum Console {
    public static func line(_ text: String) {
        let bytes = Array((text + "\n").utf8)
        var offset = 0
        while offset < bytes.count {
            let written = bytes[offset...].withUnsafeBytes { Glibc.write(1, $0.baseAddress, $0.count) }
            if written < 0 && errno == EINTR { continue }
            if written <= 0 { return }
            offset += written
        }
    }
}
