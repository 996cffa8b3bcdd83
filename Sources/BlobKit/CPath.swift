#if canImport(Glibc)
import Glibc
#endif

/// File names handed to system calls as C strings built on the stack: a
/// String's own conversion (`utf8CString`) allocates, and concatenating a
/// suffix first allocates again, a few hundred instructions each on every
/// PUT and GET.
enum CPath {
    /// `path` followed by `suffix`, NUL-terminated.
    static func with<Result>(_ path: String, suffix: StaticString = "", _ body: (UnsafePointer<CChar>) -> Result) -> Result {
        var path = path
        return path.withUTF8 { bytes in
            let length = bytes.count + suffix.utf8CodeUnitCount
            return withUnsafeTemporaryAllocation(of: CChar.self, capacity: length + 1) { buffer in
                let raw = UnsafeMutableRawPointer(buffer.baseAddress!)
                if let base = bytes.baseAddress { raw.copyMemory(from: base, byteCount: bytes.count) }
                (raw + bytes.count).copyMemory(from: suffix.utf8Start, byteCount: suffix.utf8CodeUnitCount)
                buffer[length] = 0
                return body(buffer.baseAddress!)
            }
        }
    }

    /// `/proc/self/fd/{fd}`: the name `linkat` publishes an open unnamed file by.
    static func withDescriptor<Result>(_ fd: Int32, _ body: (UnsafePointer<CChar>) -> Result) -> Result {
        let prefix: StaticString = "/proc/self/fd/"
        return withUnsafeTemporaryAllocation(of: UInt8.self, capacity: prefix.utf8CodeUnitCount + 11) { buffer in
            var at = prefix.utf8CodeUnitCount
            UnsafeMutableRawPointer(buffer.baseAddress!).copyMemory(from: prefix.utf8Start, byteCount: at)
            let value = Int(fd)
            var divisor = 1
            while divisor <= value / 10 { divisor *= 10 }
            while divisor > 0 {
                buffer[at] = UInt8(truncatingIfNeeded: 0x30 + value / divisor % 10)
                at += 1
                divisor /= 10
            }
            buffer[at] = 0
            return buffer.withMemoryRebound(to: CChar.self) { body($0.baseAddress!) }
        }
    }
}
