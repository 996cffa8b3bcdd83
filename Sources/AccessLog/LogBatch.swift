/// Log lines gathered in memory and written in one system call when they
/// pass `flushThreshold` bytes, or when told to (the access log's timer,
/// at least once a second; a reopen; the stop). Bounded: a failed write
/// drops the batch (counted) instead of keeping it, so a full disk costs
/// lines, never memory, and never stalls the loop by retrying.
public final class LogBatch {
    public let flushThreshold: Int
    public var writer: LogWriter
    private var bytes: [UInt8]
    private var lines = 0
    /// Lines lost to failed writes since the start.
    public private(set) var droppedLines = 0
    /// Called with the errno and the lines dropped when a write fails.
    public var onFailure: (_ errno: Int32, _ droppedLines: Int) -> Void = { _, _ in }

    public init(writer: LogWriter, flushThreshold: Int = 64 * 1024) {
        self.writer = writer
        self.flushThreshold = flushThreshold
        bytes = []
        bytes.reserveCapacity(flushThreshold + 8 * 1024)
    }

    public var isEmpty: Bool { bytes.isEmpty }
    public var pendingBytes: Int { bytes.count }

    /// Adds one line (`write` appends its bytes, newline included) and
    /// flushes if the batch passed the threshold.
    @inline(__always)
    public func append(_ write: (inout [UInt8]) -> Void) {
        write(&bytes)
        lines += 1
        if bytes.count >= flushThreshold { flush() }
    }

    /// Writes what is gathered, if anything.
    public func flush() {
        guard !bytes.isEmpty else { return }
        let failure = bytes.withUnsafeBytes { writer.write($0) }
        if let failure {
            droppedLines += lines
            onFailure(failure, lines)
        }
        bytes.removeAll(keepingCapacity: true)
        lines = 0
    }
}
