#if canImport(Glibc)
import Glibc
#endif

/// What the server's once-a-second sweep asks of a connection, and what it
/// does to one that overstayed.
extension HTTPConnection {
    var isLingering: Double? {
        if case .lingering(let since) = state { return since }
        return nil
    }

    /// When the first byte of a still-incomplete head arrived, if one did.
    var headStartedAt: Double? {
        if case .awaitingHead(let since) = state { return since }
        return nil
    }

    var hasNoPendingOutput: Bool { output.pending == 0 }

    /// A handler is still working on this connection's answer (a listing
    /// off the loop, or the next piece of its body): quiet, but not idle.
    var isAwaitingAnswer: Bool {
        if case .awaitingAnswer = state { return true }
        return producing != nil
    }

    /// No request half-read, no answer pending.
    var isIdleBetweenRequests: Bool {
        guard case .awaitingHead = state else { return false }
        return parser.isIdle && input.isEmpty && output.pending == 0
    }

    /// Whether bytes wait in the socket that the loop has not read yet (a
    /// request that arrived in the same turn as a drain's timer).
    var hasUnreadBytes: Bool {
        var byte: UInt8 = 0
        return recv(fd, &byte, 1, Int32(MSG_PEEK | MSG_DONTWAIT)) > 0
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
        send(.text(408, "request head not received in time"), to: nil, then: .close(linger: true))
        finishIfFlushed()
    }
}
