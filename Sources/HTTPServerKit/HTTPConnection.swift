import CLibevent
import EventCore
import HTTP1
#if canImport(Glibc)
import Glibc
#endif

/// One client connection of the HTTP server. Owns its socket, a read event,
/// its input buffer and output queue; feeds the request parser, hands
/// requests to the handler, writes answers in order, keeps the connection
/// alive, applies backpressure, and closes cleanly (lingering after an error
/// answer so the client reads it rather than a reset).
final class HTTPConnection {
    var channel: SocketChannel!
    var fd: Int32 { channel.fd }
    var output: OutputQueue { channel.output }
    let input: InputBuffer
    unowned let server: HTTPServer
    var parser: RequestParser
    var state = State.awaitingHead(since: nil)
    /// An answer whose body is still being produced, piece by piece as the
    /// client takes it (the output side; meanwhile no request is read).
    var producing: Production?
    /// A pass of `process()` is on the stack: a deferred answer that arrives
    /// from within it (a handler answering at once) must not start another.
    private var isProcessing = false
    let peer: String
    var lastActivity: Double
    var scratch: [UInt8] = []
    /// TCP_NODELAY is set once a connection is kept alive (as nginx does):
    /// a connection closed after one answer never needs it.
    var noDelaySet = false
    /// Output bytes seen pending at the last sweep, and since when: a client
    /// that takes none of our answer for too long is dropped.
    var stalledOutput: (bytes: Int, since: Double) = (0, 0)
    /// The request being answered, as the server's observer noted it, and
    /// the body bytes read of it (kept only when there is an observer).
    var observed: ObservedRequest?
    /// The server's observer, held here: reading it through the unowned
    /// server on every request cost a retain and a release each time.
    let observer: HTTPServerObserver?
    var bodyBytesReceived = 0

    init(server: HTTPServer, fd: Int32, peer: String) {
        self.server = server
        self.peer = peer
        observer = server.observer
        let limits = server.config.limits
        parser = RequestParser(limits: limits)
        input = InputBuffer(capacity: 16 * 1024, maxCapacity: limits.maxHeadBytes + limits.maxRequestLine + 1024)
        lastActivity = server.base.cachedNow
        scratch.reserveCapacity(512)
        channel = SocketChannel(base: server.base, fd: fd, owner: self, reading: false)
    }

    /// Reads at once, before the socket joins the loop: a client usually
    /// sends its request right after connecting, so it is often already
    /// here; a connection answered and closed within this call then never
    /// costs an `epoll_ctl` to add it nor one to delete it. Otherwise (no
    /// bytes yet, or the connection stays) reading starts as usual.
    func start() {
        readable()
        guard channel.isOpen else { return }
        resumeReadingIfRoom()
    }

    var isOpen: Bool { channel.isOpen }

    // MARK: reading

    private func readable() {
        lastActivity = server.base.cachedNow
        switch input.receive(from: fd) {
        case .bytes: break
        case .endOfStream: return peerClosed()
        case .wouldBlock: return
        case .failed: return close()
        case .bufferFull:
            // Nowhere to put bytes (pipelined requests behind a deferred
            // answer, input while closing): a level-triggered event would
            // fire forever. `process()` resumes once it consumed some.
            return channel.stopReading()
        }
        if case .lingering = state {
            input.clear()
            return
        }
        process()
    }

    /// Parses and answers whatever complete requests the buffer holds.
    func process() {
        isProcessing = true
        defer { isProcessing = false }
        // Runs until the parser needs more bytes: a body's end or a
        // bodiless request's end comes without consuming any.
        while readsRequests {
            var consumed = 0
            let event = parser.next(input.readable, consumed: &consumed)
            handle(event)
            if consumed > 0 { input.consume(consumed) }
            if case .closed = state { return }
            if case .needMore = event, consumed == 0 {
                if case .awaitingHead(since: .none) = state, parser.isIdle, !input.isEmpty { state = .awaitingHead(since: lastActivity) }
                break
            }
        }
        resumeReadingIfRoom()
        finishIfFlushed()
    }

    /// Restarts reading stopped by a full buffer once requests were consumed
    /// (throttled and closing connections restart elsewhere, or never).
    private func resumeReadingIfRoom() {
        guard !channel.isReading, !input.isFull else { return }
        switch state {
        case .awaitingHead, .readingBody, .discardingBody, .awaitingAnswer: channel.startReading()
        case .throttled, .closingAfterFlush, .lingering, .closed: break
        }
    }

    /// Acts on one parser event.
    private func handle(_ event: RequestParser.Event) {
        switch event {
        case .head(let head):
            state = .awaitingHead(since: nil)
            let request = Request(head)
            if let observer {
                observed = observer.requestBegan(head, from: peer)
                bodyBytesReceived = 0
            }
            switch server.handler.handle(head, from: peer) {
            case .respond(let response):
                send(response, to: request, then: afterEarlyAnswer(head))
                if case .awaitingHead = state, head.framing != .none {
                    state = .discardingBody(budget: server.config.discardBodyLimit)
                }
            case .readBody(let sink):
                state = .readingBody(sink, request)
                if head.expectsContinue {
                    _ = HTTPConnection.continueLine.withUnsafeBytes { output.send($0) }
                }
            case .respondLater(let start):
                guard head.framing == .none else {
                    return send(.text(400, "this request takes no body"), to: request, then: .close(linger: true))
                }
                state = .awaitingAnswer(request)
                start { [weak self] response in self?.answerLater(response) }
            }
        case .body(let bytes):
            bodyBytesReceived &+= bytes.count
            if case .discardingBody(let budget) = state {
                // A chunked body longer than promised: close after all.
                state = budget >= bytes.count ? .discardingBody(budget: budget - bytes.count) : .closingAfterFlush(linger: true)
                return
            }
            guard case .readingBody(let sink, let request) = state, let early = sink.receive(bytes) else { return }
            sink.abort()
            send(early, to: request, then: .close(linger: true))
        case .end:
            if case .discardingBody = state { return state = .awaitingHead(since: nil) }
            guard case .readingBody(let sink, let request) = state else { return }
            state = .awaitingHead(since: nil)
            send(sink.finish(), to: request, then: .closeUnless(request.keepAlive))
        case .needMore:
            return
        case .error(let error):
            // Its answer already went out: a second one would answer nothing.
            if case .discardingBody = state { return state = .closingAfterFlush(linger: true) }
            var request: Request?
            if case .readingBody(let sink, let current) = state {
                sink.abort()
                request = current
            }
            send(.text(error.status, error.reason), to: request, then: .close(linger: true))
        }
    }

    /// What follows an answer given before the request's body was read: the
    /// connection stays if the body is small enough to read and drop
    /// (`discardBodyLimit`); a larger one, or one the client waits to be
    /// asked for (`Expect: 100-continue`), closes it after the answer.
    private func afterEarlyAnswer(_ head: RequestHead) -> AfterAnswer {
        let discardable: Bool
        switch head.framing {
        case .none: return .closeUnless(head.keepAlive)
        case .length(let length): discardable = length <= server.config.discardBodyLimit && !head.expectsContinue
        case .chunked: discardable = !head.expectsContinue  // dropped up to the limit, closed beyond it
        case .untilClose: discardable = false
        }
        return discardable && head.keepAlive ? .keepAlive : .close(linger: true)
    }

    /// The client sent EOF: finish the answers already due, then close.
    private func peerClosed() {
        if case .readingBody(let sink, _) = state {
            sink.abort()
            state = .awaitingHead(since: nil)
        }
        switch state {
        case .awaitingHead, .throttled, .readingBody, .discardingBody, .awaitingAnswer:
            guard output.pending > 0 else { return close() }
            state = .closingAfterFlush(linger: false)
            channel.stopReading()
        case .closingAfterFlush, .lingering, .closed:
            close()
        }
    }

    /// The deferred answer arrived (on the loop): send it and go on with
    /// any pipelined requests.
    private func answerLater(_ response: HTTPResponse) {
        guard case .awaitingAnswer(let request) = state, channel.isOpen else { return response.body.discard() }
        send(response, to: request, then: .closeUnless(request.keepAlive))
        if !isProcessing { process() }  // else the running pass goes on by itself
    }

    // MARK: flow control and closing

    private func writable() {
        lastActivity = server.base.cachedNow
        guard output.flush() else { return close() }
        continueAfterOutput()
    }

    func finishIfFlushed() {
        guard case .closingAfterFlush(let linger) = state, output.pending == 0, producing == nil else { return }
        if linger || !input.isEmpty { startLingering() } else { close() }
    }

    /// Shuts our side, then drops whatever the client still sends, so it
    /// reads our last answer rather than a reset.
    private func startLingering() {
        shutdown(fd, Int32(SHUT_WR))
        state = .lingering(since: server.base.cachedNow)
        input.clear()
        channel.startReading()
    }

    /// Frees the events and the queue, closes the socket, leaves the server.
    func close() {
        guard channel.isOpen else { return }
        if case .readingBody(let sink, _) = state { sink.abort() }
        state = .closed
        if let observer, let abandoned = observed {
            observed = nil
            observer.abandoned(abandoned)
        }
        producing?.producer.discard()
        producing = nil
        channel.close()
        server.connectionClosed(self)
    }

    deinit {
        assert(!channel.isOpen, "HTTPConnection not closed")
    }
}

extension HTTPConnection: SocketChannelOwner {
    func channelReadable() { readable() }
    func channelWritable() { writable() }
}
