/// Flow control between a connection's answers and its requests: no
/// request is read while an answer's output is past the high-water mark or
/// its body is still produced, and once the output drains (or a producer
/// that worked off the loop has its next piece) the body goes on, then
/// reading resumes or the connection closes.
extension HTTPConnection {
    /// Stops reading requests until the client has taken most of our output.
    func throttle() {
        switch state {
        case .awaitingHead:
            state = .throttled
            // While a body is produced, reading goes on (into the bounded
            // input buffer, nothing parsed) so a client that leaves is
            // seen at once and its producer released.
            if producing == nil { channel.stopReading() }
        case .closingAfterFlush:
            if producing == nil { channel.stopReading() }
        case .throttled, .readingBody, .discardingBody, .awaitingAnswer, .lingering, .closed:
            break
        }
    }

    /// A producer that was making its next piece off the loop has it.
    func producerResumed() {
        guard var production = producing, production.waiting, channel.isOpen else { return }
        lastActivity = server.base.cachedNow
        production.waiting = false
        producing = production
        continueAfterOutput()
    }

    /// Output moved on: produce more of a body, then read requests again
    /// or close once everything is out.
    func continueAfterOutput() {
        if producing != nil {
            guard produceMore() else { return close() }
            if producing != nil { return }
        }
        if case .throttled = state, output.pending <= server.config.writeHighWater / 2 {
            state = .awaitingHead(since: nil)
            channel.startReading()
            return process()
        }
        finishIfFlushed()
    }
}
