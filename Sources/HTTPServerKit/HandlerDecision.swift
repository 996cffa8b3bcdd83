import HTTP1

/// A handler's answer to a request head.
public enum HandlerDecision {
    /// Answer now. A request body, if any, is not read: the connection
    /// closes after the answer (the right thing for 4xx before a body).
    case respond(HTTPResponse)
    /// Stream the body into `sink`; its `finish()` gives the answer.
    /// `Expect: 100-continue` is honoured first.
    case readBody(RequestBodySink)
    /// Answer later (after work off the loop): the handler calls the given
    /// function once, on the loop. Only for requests without a body; the
    /// connection reads no further request meanwhile.
    case respondLater((@escaping (HTTPResponse) -> Void) -> Void)
}
