/// What one `InputBuffer.receive(from:)` did, so no caller reads a stale
/// `errno`: a full buffer is its own case (stop reading until space frees),
/// not a -2 that looked like a failed `recv`.
public enum ReceiveResult: Equatable, Sendable {
    /// This many bytes (at least one) were appended.
    case bytes(Int)
    /// The peer closed its side (or the socket was shut).
    case endOfStream
    /// Nothing to read now (EAGAIN): wait for the next readable event.
    case wouldBlock
    /// The unread bytes fill the buffer at its largest: nothing was read.
    /// Stop reading until the owner consumes some, or the event fires forever.
    case bufferFull
    /// `recv` failed with this errno (ECONNRESET and the like).
    case failed(errno: Int32)
}
