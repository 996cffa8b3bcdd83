import AccessLog
#if canImport(Glibc)
import Glibc
#endif

/// A `LogWriter` that keeps each write, or fails them all with `failing`.
final class FakeLogWriter: LogWriter {
    var writes: [[UInt8]] = []
    var failing: Int32?

    func write(_ bytes: UnsafeRawBufferPointer) -> Int32? {
        if let failing { return failing }
        writes.append(Array(bytes))
        return nil
    }

    var text: String { writes.map { String(decoding: $0, as: UTF8.self) }.joined() }
    var lines: [String] { text.split(separator: "\n", omittingEmptySubsequences: false).dropLast().map(String.init) }
}
