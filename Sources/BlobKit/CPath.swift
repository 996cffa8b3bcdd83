import HTTP1
#if canImport(Glibc)
import Glibc
#endif

/// File names handed to system calls as C strings built on the stack: a
/// String's own conversion (`utf8CString`) allocates, and concatenating a
/// suffix first allocates again, a few hundred instructions each on every
/// PUT and GET.
enum CPath {
    /// What `write` writes (at most `bound` bytes), NUL-terminated, for `body`.
    static func written<Result>(atMost bound: Int, _ write: (inout ByteWriter) -> Void,
                                _ body: (UnsafePointer<CChar>) -> Result) -> Result {
        withUnsafeTemporaryAllocation(of: UInt8.self, capacity: bound + 1) { buffer in
            var writer = ByteWriter(buffer)
            write(&writer)
            writer.put(0)
            return buffer.withMemoryRebound(to: CChar.self) { body($0.baseAddress!) }
        }
    }

    /// `path` followed by `suffix`.
    static func with<Result>(_ path: String, suffix: StaticString = "", _ body: (UnsafePointer<CChar>) -> Result) -> Result {
        written(atMost: path.utf8.count + suffix.utf8CodeUnitCount, { writer in
            writer.put(path)
            writer.put(suffix)
        }, body)
    }

    /// `/proc/self/fd/{fd}`: the name `linkat` publishes an open unnamed file by.
    static func withDescriptor<Result>(_ fd: Int32, _ body: (UnsafePointer<CChar>) -> Result) -> Result {
        let prefix: StaticString = "/proc/self/fd/"
        return written(atMost: prefix.utf8CodeUnitCount + ByteWriter.decimalBound, { writer in
            writer.put(prefix)
            writer.putDecimal(Int(fd))
        }, body)
    }
}
