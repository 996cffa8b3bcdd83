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
    enum Phase {
        case open
        /// Answer queued, then close: stop reading requests.
        case closingAfterFlush
        /// Write side shut; input read and dropped until EOF or a deadline.
        case lingering(since: Double)
        case closed
    }

    var channel: SocketChannel!
    var fd: Int32 { channel.fd }
    var output: OutputQueue { channel.output }
    let input: InputBuffer
    unowned let server: HTTPServer
    var parser: RequestParser
    var sink: RequestBodySink?
    /// A body still being produced, and how many of its bytes are still due;
    /// no further request is read meanwhile.
    var producing: (producer: ResponseBodyProducer, remaining: Int)?
    var request: (method: HTTPMethod, version: HTTPVersion, keepAlive: Bool)?
    var phase = Phase.open
    /// A handler answers this request later: no further request is read.
    private var awaitingAnswer = false
    private var processing = false
    /// Whether the client may still be sending (an unread body, a request
    /// cut short by an error): then we linger before closing.
    var lingerOnClose = false
    private var readPaused = false
    let peer: String
    /// When the first byte of a still-incomplete head arrived (slowloris guard).
    private(set) var headStartedAt: Double?
    private(set) var lastActivity: Double
    var scratch: [UInt8] = []
    /// TCP_NODELAY is set once a connection is kept alive (as nginx does):
    /// a connection closed after one answer never needs it.
    var noDelaySet = false
    /// Output bytes seen pending at the last sweep, and since when: a client
    /// that takes none of our answer for too long is dropped.
    var stalledOutput: (bytes: Int, since: Double) = (0, 0)

    init(server: HTTPServer, fd: Int32, peer: String) {
        self.server = server
        self.peer = peer
        let limits = server.config.limits
        parser = RequestParser(limits: limits)
        input = InputBuffer(capacity: 16 * 1024, maxCapacity: limits.maxHeadBytes + limits.maxRequestLine + 1024)
        lastActivity = server.base.cachedNow
        scratch.reserveCapacity(512)
        channel = SocketChannel(base: server.base, fd: fd, owner: self)
    }

    var isOpen: Bool { channel.isOpen }

    // MARK: reading

    private func readable() {
        lastActivity = server.base.cachedNow
        let received = input.fill(from: fd)
        if received == 0 { return peerClosed() }
        if received < 0 {
            if errno == EAGAIN || errno == EINTR { return }
            return close()
        }
        if case .lingering = phase {
            input.clear()
            return
        }
        process()
    }

    /// Parses and answers whatever complete requests the buffer holds.
    private func process() {
        processing = true
        defer { processing = false }
        // Runs until the parser needs more bytes: a body's end or a
        // bodiless request's end comes without consuming any.
        while case .open = phase, !readPaused, !awaitingAnswer {
            let (event, consumed) = parser.next(input.readable)
            let stop = handle(event)
            if consumed > 0 { input.consume(consumed) }
            if case .closed = phase { return }
            if stop { break }
            if case .needMore = event, consumed == 0 {
                if parser.isIdle && !input.isEmpty && headStartedAt == nil { headStartedAt = lastActivity }
                break
            }
        }
        finishIfFlushed()
    }

    /// Acts on one parser event; returns true to stop reading requests.
    private func handle(_ event: RequestParser.Event) -> Bool {
        switch event {
        case .head(let head):
            headStartedAt = nil
            request = (head.method, head.version, head.keepAlive)
            switch server.handler.handle(head, from: peer) {
            case .respond(let response):
                let bodyUnread = head.framing != .none
                if bodyUnread { lingerOnClose = true }
                send(response, close: bodyUnread || !head.keepAlive)
                return bodyUnread
            case .readBody(let newSink):
                sink = newSink
                if head.expectsContinue {
                    _ = HTTPConnection.continueLine.withUnsafeBytes { output.send($0) }
                }
            case .respondLater(let start):
                guard head.framing == .none else {
                    lingerOnClose = true
                    send(.text(400, "this request takes no body"), close: true)
                    return true
                }
                awaitingAnswer = true
                let keepAlive = head.keepAlive
                start { [weak self] response in self?.answerLater(response, keepAlive: keepAlive) }
                return awaitingAnswer  // stop reading until the answer is sent
            }
        case .body(let bytes):
            if let current = sink, let early = current.receive(bytes) {
                sink = nil
                current.abort()
                lingerOnClose = true
                send(early, close: true)
                return true
            }
        case .end:
            if let current = sink {
                sink = nil
                send(current.finish(), close: !(request?.keepAlive ?? false))
            }
            request = nil
        case .needMore:
            return false
        case .error(let error):
            sink?.abort()
            sink = nil
            lingerOnClose = true
            send(.text(error.status, error.reason), close: true)
            return true
        }
        return false
    }

    /// The client sent EOF: finish the answers already due, then close.
    private func peerClosed() {
        sink?.abort()
        sink = nil
        if case .open = phase, output.pending > 0 {
            phase = .closingAfterFlush
            channel.stopReading()
            return
        }
        close()
    }

    /// The deferred answer arrived (on the loop): send it and go on with
    /// any pipelined requests.
    private func answerLater(_ response: HTTPResponse, keepAlive: Bool) {
        guard awaitingAnswer, channel.isOpen else { return response.body.discard() }
        awaitingAnswer = false
        send(response, close: !keepAlive)
        if !processing { process() }  // else the running pass goes on by itself
    }

    // MARK: flow control and closing

    /// Stops reading requests until the client has taken most of our output.
    func pauseReading() {
        guard !readPaused, channel.isOpen else { return }
        readPaused = true
        channel.stopReading()
    }

    private func writable() {
        lastActivity = server.base.cachedNow
        guard output.flush() else { return close() }
        if producing != nil {
            guard produceMore() else { return close() }
            if producing != nil { return }
        }
        if readPaused && output.pending <= server.config.writeHighWater / 2 {
            readPaused = false
            if case .open = phase { channel.startReading() }
            process()
            return
        }
        finishIfFlushed()
    }

    func finishIfFlushed() {
        guard case .closingAfterFlush = phase, output.pending == 0, producing == nil else { return }
        if lingerOnClose || !input.isEmpty { startLingering() } else { close() }
    }

    /// Shuts our side, then drops whatever the client still sends, so it
    /// reads our last answer rather than a reset.
    private func startLingering() {
        shutdown(fd, Int32(SHUT_WR))
        phase = .lingering(since: server.base.cachedNow)
        input.clear()
        channel.startReading()
        readPaused = false
    }

    /// Frees the events and the queue, closes the socket, leaves the server.
    func close() {
        guard channel.isOpen else { return }
        phase = .closed
        sink?.abort()
        sink = nil
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
