#if canImport(Glibc)
import Glibc
#endif

/// Reads a control channel's lines from a non-blocking descriptor, both
/// ways (the balancer reads commands, the supervisor reads reports): what
/// follows the last newline waits for the next read. Bounded: past
/// `maximumPending` bytes without a newline it is no control line, and is
/// dropped.
public struct LineReader {
    private var pending: [UInt8] = []
    private let maximumPending: Int

    public init(maximumPending: Int = 1 << 16) {
        self.maximumPending = maximumPending
    }

    /// One read: the whole lines it completed (none if the descriptor had
    /// nothing yet), or nil at end of file or on an error.
    public mutating func read(from fd: Int32) -> [String]? {
        var chunk = [UInt8](repeating: 0, count: 4096)
        let count = chunk.withUnsafeMutableBytes { Glibc.read(fd, $0.baseAddress, $0.count) }
        if count < 0 && (errno == EINTR || errno == EAGAIN) { return [] }
        guard count > 0 else { return nil }
        pending += chunk[0..<count]
        var lines: [String] = []
        while let newline = pending.firstIndex(of: 10) {
            lines.append(String(decoding: pending[..<newline], as: UTF8.self))
            pending.removeSubrange(...newline)
        }
        if pending.count > maximumPending { pending.removeAll() }
        return lines
    }
}
