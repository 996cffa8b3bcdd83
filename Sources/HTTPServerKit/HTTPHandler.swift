import HTTP1

/// What an application implements to serve HTTP: it sees parsed requests
/// and answers `HTTPResponse`s, never libevent. Runs on the loop, so it
/// must only make short system calls.
public protocol HTTPHandler: AnyObject {
    /// Called once per request, when its head has arrived.
    func handle(_ request: RequestHead, from peer: String) -> HandlerDecision
}
