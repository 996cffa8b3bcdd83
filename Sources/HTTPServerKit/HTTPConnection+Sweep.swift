/// What the server's once-a-second sweep asks of a connection, and what it
/// does to one that overstayed.
extension HTTPConnection {
    var isLingering: Double? {
        if case .lingering(let since) = phase { return since }
        return nil
    }

    var hasNoPendingOutput: Bool { output.pending == 0 }

    /// No request half-read, no answer pending: safe to close on a drain.
    var isIdleBetweenRequests: Bool {
        parser.isIdle && sink == nil && input.isEmpty && output.pending == 0 && isLingering == nil
    }

    /// Whether pending output has not moved for `timeout` seconds.
    func outputStalled(now: Double, timeout: Double) -> Bool {
        let pending = output.pending
        if pending == 0 || pending != stalledOutput.bytes {
            stalledOutput = (pending, now)
            return false
        }
        return now - stalledOutput.since > timeout
    }

    /// Sends `408` to a client whose head did not arrive in time.
    func timeOutHead() {
        request = nil
        lingerOnClose = true
        send(.text(408, "request head not received in time"), close: true)
        finishIfFlushed()
    }
}
