import ClusterControl
import EventCore
#if canImport(Glibc)
import Glibc
#endif

/// A balancer's control channel: a socket pair whose child end becomes the
/// balancer's stdin (commands in, `report` answers back) and whose parent
/// end stays with the supervisor (close-on-exec, non-blocking: a balancer
/// that stops reading never blocks the loop). Lines back are read on the
/// loop; the last report is kept. One owner closes both ends once.
final class ControlLink {
    private(set) var childEnd: Int32
    private var parentEnd: Int32
    private var event: LoopEvent?
    private var reader = LineReader()
    /// The balancer's last answer to `report`, and when it came (monotonic seconds).
    private(set) var lastReport: (at: Double, report: BackendReport)?

    init() throws(SystemError) {
        var fds: [Int32] = [-1, -1]
        try syscall("socketpair") { socketpair(AF_UNIX, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0, &fds) }
        childEnd = fds[0]
        parentEnd = fds[1]
        _ = fcntl(parentEnd, F_SETFL, fcntl(parentEnd, F_GETFL) | O_NONBLOCK)
    }

    /// Starts reading the balancer's answers; EOF or an error just stops it
    /// (the reaper learns of the balancer's end).
    func watch(base: EventBase) {
        event = LoopEvent.readable(base: base, fd: parentEnd) { [unowned self] in self.readAnswers() }
    }

    private func readAnswers() {
        guard let lines = reader.read(from: parentEnd) else {
            event?.close()
            event = nil
            return
        }
        for line in lines {
            if let report = BackendReport(line: Substring(line)) { lastReport = (MonotonicClock.seconds(), report) }
        }
    }

    /// Sends one line; false if the balancer is gone or not reading.
    @discardableResult
    func send(line: String) -> Bool {
        guard parentEnd >= 0 else { return false }
        let bytes = Array((line + "\n").utf8)
        let written = bytes.withUnsafeBytes { Glibc.send(parentEnd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
        return written == bytes.count
    }

    /// Closes our copy of the child's end once the child has its own.
    func closeChildEnd() {
        if childEnd >= 0 { Glibc.close(childEnd) }
        childEnd = -1
    }

    func close() {
        closeChildEnd()
        event?.close()
        event = nil
        if parentEnd >= 0 { Glibc.close(parentEnd) }
        parentEnd = -1
    }

    deinit {
        assert(childEnd < 0 && parentEnd < 0, "ControlLink not closed")
    }
}
