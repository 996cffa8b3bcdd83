/// Where an http-mode client connection is in its life; each case carries
/// what exists only in it (the exchange exists only while forwarding).
enum HTTPSessionState {
    /// Kept alive between requests: not one byte of the next one yet (only
    /// the client timeout applies).
    case idle
    /// A request head is on its way, since the connection was accepted or
    /// since the first byte of a later request: it must be whole within
    /// the http-request timeout, whatever trickles in meanwhile.
    case readingHead(since: Double)
    /// A request is with a backend (or being given one); later, pipelined
    /// requests wait in the input buffer until it is answered.
    case forwarding(HTTPExchange)
    /// Our last bytes (an answer of our own, or the last response) are
    /// being flushed; then the connection closes.
    case closing
    case closed
}
