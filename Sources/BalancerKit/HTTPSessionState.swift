/// Where an http-mode client connection is in its life; each case carries
/// what exists only in it (the exchange exists only while forwarding).
enum HTTPSessionState {
    /// Between requests: the next head is awaited or being read.
    case waiting
    /// A request is with a backend (or being given one); later, pipelined
    /// requests wait in the input buffer until it is answered.
    case forwarding(HTTPExchange)
    /// Our last bytes (an answer of our own, or the last response) are
    /// being flushed; then the connection closes.
    case closing
    case closed
}
