import HTTP1

extension HTTPConnection {
    /// Where a connection is in its life. Each case carries what exists only
    /// then (the body's sink, the request being answered, since when), so a
    /// sink without a body or a deferred answer on a closing connection
    /// cannot be written down.
    enum State {
        /// Between requests or inside a head; `since` is when the first byte
        /// of a still-incomplete head arrived (the slowloris guard).
        case awaitingHead(since: Double?)
        /// Our answers are queued past the high-water mark: no request is
        /// read until the client has taken most of them.
        case throttled
        /// The request's body streams into `sink`.
        case readingBody(RequestBodySink, Request)
        /// Answered before its body was read (404, 409, 401...): the rest of
        /// the body, at most `budget` more bytes, is read and dropped so the
        /// kept-alive connection can carry the next request (as nginx does).
        case discardingBody(budget: Int)
        /// The handler answers later (work off the loop); no further request
        /// is read meanwhile.
        case awaitingAnswer(Request)
        /// The last answer is queued; close once it is out. `linger`: the
        /// client may still be sending (an unread body, a request cut short).
        case closingAfterFlush(linger: Bool)
        /// Write side shut; input read and dropped until EOF or a deadline.
        case lingering(since: Double)
        case closed
    }

    /// An answer whose body is still being produced, piece by piece as the
    /// client takes it.
    struct Production {
        let producer: ResponseBodyProducer
        /// Bytes still due of a promised Content-Length; nil when the length
        /// was not known (the body goes chunked, or until close).
        var remaining: Int?
        /// Each piece is framed as a chunk, and the last chunk ends the body.
        let chunked: Bool
        /// The producer makes the next piece off the loop and will resume us.
        var waiting = false
    }

    /// What an answer needs to know of its request.
    struct Request {
        let isHead: Bool
        let version: HTTPVersion
        let keepAlive: Bool

        init(_ head: RequestHead) {
            isHead = head.method == .HEAD
            version = head.version
            keepAlive = head.keepAlive
        }
    }

    /// What follows an answer.
    enum AfterAnswer {
        case keepAlive
        /// `linger`: the client may still be sending, so drop its input for
        /// a while rather than reset it.
        case close(linger: Bool)

        static func closeUnless(_ keepAlive: Bool) -> AfterAnswer { keepAlive ? .keepAlive : .close(linger: false) }
    }

    /// Whether the parser is fed: reading a head or a body.
    var readsRequests: Bool {
        switch state {
        case .awaitingHead, .readingBody, .discardingBody: return true
        case .throttled, .awaitingAnswer, .closingAfterFlush, .lingering, .closed: return false
        }
    }
}
