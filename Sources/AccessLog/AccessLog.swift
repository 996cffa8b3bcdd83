import EventCore
import HTTP1
import HTTPServerKit
import Logging
#if canImport(Glibc)
import Glibc
#endif

/// The opt-in access log (`--access-log FILE|-`): one line per answered
/// request in nginx's combined format plus the request time, written in
/// batches (`LogBatch`: one `write(2)` per 64 KiB, or at least once a
/// second, and at the stop), reopened on SIGUSR1 for rotation.
///
/// An HTTP server has one observer: the log is it, and passes each request
/// on to `next` (the metrics) first. A server without an access log keeps
/// the metrics as its observer and pays nothing for this. The head's part
/// of a line is copied at `requestBegan` into a reused slot whose number
/// travels in `ObservedRequest.slot`; `answered` completes it.
public final class AccessLog: HTTPServerObserver {
    public let batch: LogBatch
    /// The observer each request is passed on to (the metrics), if any.
    public let next: HTTPServerObserver?
    private let path: String?
    private var file: LogFile?
    private let base: EventBase
    private let logger: Logger
    private var slots: [PendingLine] = []
    private var freeSlots: [Int32] = []
    private let time = AccessLogTime()
    private var timer: LoopEvent?
    private var timerArmed = false
    private var lastWarning = -Double.infinity
    /// The last peer seen and its bytes in a line (a connection's requests share it).
    private var lastPeer = ""
    private var lastPeerBytes: [UInt8] = []
    private var droppedSinceWarning = 0

    /// Requests noted at once, at most (each connection has one at a time);
    /// past it a line is written with what the answer knows.
    static let maxSlots = 1 << 16
    /// Longest a line waits in the batch, in seconds.
    public static let flushInterval = 1.0
    /// Shortest time between two warnings of failed writes, in seconds.
    static let warningInterval = 60.0

    /// Opens `path` for appending (`-`: standard error); throws if it cannot.
    public convenience init(path: String, base: EventBase, logger: Logger, next: HTTPServerObserver?) throws(SystemError) {
        let file = try LogFile(path: path)
        self.init(writer: file, base: base, logger: logger, next: next)
        self.file = file
    }

    /// A log writing to `writer` (the tests' fake); never reopened.
    public init(writer: LogWriter, base: EventBase, logger: Logger, next: HTTPServerObserver?, flushThreshold: Int = 64 * 1024) {
        batch = LogBatch(writer: writer, flushThreshold: flushThreshold)
        self.next = next
        self.base = base
        self.logger = logger
        path = (writer as? LogFile)?.path
        timer = LoopEvent.timer(base: base, repeating: false) { [unowned self] in
            self.timerArmed = false
            self.batch.flush()
        }
        batch.onFailure = { [unowned self] code, lines in self.writeFailed(code, lines: lines) }
    }

    // MARK: the observer

    public func requestBegan(_ head: RequestHead, from peer: String) -> ObservedRequest {
        var request = next?.requestBegan(head, from: peer) ?? ObservedRequest(labels: 0, startedAt: MonotonicClock.seconds())
        request.slot = takeSlot()
        if request.slot >= 0 { slots[Int(request.slot)].begin(head, peer: peerBytes(peer), time: time.bracketed(now: Int(base.cachedNow))) }
        return request
    }

    public func headFailed(from peer: String) -> ObservedRequest? {
        let slot = takeSlot()
        guard slot >= 0 else { return nil }
        slots[Int(slot)].beginUnparsed(peer: peerBytes(peer), time: time.bracketed(now: Int(base.cachedNow)))
        return ObservedRequest(labels: 0, startedAt: 0, slot: slot)
    }

    public func answered(_ request: ObservedRequest?, status: Int, bodyBytesReceived: Int, bodyBytesSent: Int?) {
        let parsed = request.map { $0.slot < 0 || slots[Int($0.slot)].parsed } ?? false
        next?.answered(parsed ? request : nil, status: status, bodyBytesReceived: bodyBytesReceived, bodyBytesSent: bodyBytesSent)
        write(request, parsed: parsed, status: status, bodyBytes: bodyBytesSent)
    }

    public func producedBodyBytes(_ count: Int) {
        next?.producedBodyBytes(count)
    }

    /// Logged as nginx does, with status 499 and no body.
    public func abandoned(_ request: ObservedRequest) {
        let parsed = request.slot < 0 || slots[Int(request.slot)].parsed
        if parsed { next?.abandoned(request) }
        write(request, parsed: parsed, status: 499, bodyBytes: 0)
    }

    private func write(_ request: ObservedRequest?, parsed: Bool, status: Int, bodyBytes: Int?) {
        let milliseconds = parsed ? Int((MonotonicClock.seconds() - request!.startedAt) * 1000) : 0
        if let slot = request?.slot, slot >= 0 {
            batch.append { slots[Int(slot)].appendLine(status: status, bodyBytes: bodyBytes, milliseconds: milliseconds, to: &$0) }
            freeSlots.append(slot)
        } else {
            let now = time.bracketed(now: Int(base.cachedNow))
            batch.append { PendingLine.appendUnknownLine(status: status, bodyBytes: bodyBytes, time: now, milliseconds: milliseconds, to: &$0) }
        }
        if !timerArmed && !batch.isEmpty {
            timerArmed = true
            timer?.add(after: Self.flushInterval)
        }
    }

    private func peerBytes(_ peer: String) -> [UInt8] {
        if peer != lastPeer {
            lastPeer = peer
            lastPeerBytes = PendingLine.peerBytes(peer)
        }
        return lastPeerBytes
    }

    private func takeSlot() -> Int32 {
        if let slot = freeSlots.popLast() { return slot }
        guard slots.count < Self.maxSlots else { return -1 }
        slots.append(PendingLine())
        return Int32(slots.count - 1)
    }

    // MARK: rotation, failures, the stop

    /// SIGUSR1: writes what is gathered to the old file, opens the path
    /// again (a new file once the old one was renamed) and swaps. If it
    /// cannot be opened, the old file goes on being written.
    public func reopen() {
        guard let path, let old = file, old.isReopenable else {
            return logger.info("SIGUSR1: the access log is standard error, nothing to reopen")
        }
        batch.flush()
        do {
            let new = try LogFile(path: path)
            batch.writer = new
            file = new
            old.close()
            logger.info("reopened access log \(path)")
        } catch {
            logger.error("cannot reopen access log \(path): \(error); still writing the file it had open")
        }
    }

    private func writeFailed(_ code: Int32, lines: Int) {
        droppedSinceWarning += lines
        let now = MonotonicClock.seconds()
        guard now - lastWarning >= Self.warningInterval else { return }
        lastWarning = now
        logger.warning("access log \(path ?? "writer"): write failed (\(String(cString: strerror(code)))): dropped \(droppedSinceWarning) lines (\(batch.droppedLines) since start; at most one warning a minute)")
        droppedSinceWarning = 0
    }

    /// Writes what is left and closes the file: after the server closed
    /// (so the lines of requests it abandoned are in).
    public func close() {
        batch.flush()
        timer?.close()
        timer = nil
        file?.close()
    }

    deinit {
        assert(timer == nil, "AccessLog not closed")
    }
}
