import EventCore
import HTTP1
#if canImport(Glibc)
import Glibc
#endif

/// One client connection in http mode: parses its requests with our codec,
/// sends each to the next backend in turn on a kept-alive connection,
/// streams bodies both ways with backpressure, and answers 502, 503 and 504
/// itself. One request at a time: pipelined ones wait in the input buffer.
final class HTTPSession {
    static let highWater = 512 * 1024

    private var channel: SocketChannel!
    var output: OutputQueue { channel.output }
    let input = InputBuffer(capacity: 16 * 1024, maxCapacity: 64 * 1024)
    private var parser = RequestParser()
    unowned let owner: HTTPBalancer
    private let peer: [UInt8]
    private(set) var state: HTTPSessionState
    /// Buffers reused by every request on this connection, so that a
    /// request allocates nothing here: the request as sent to the backend
    /// (kept to retry it elsewhere), the backends tried, heads or chunks on
    /// their way to the client, and the fields of a head being rewritten.
    private(set) var replay = RequestReplay()
    private var tried: [SocketAddress] = []
    /// Monotonic seconds when the request was last sent to a backend (kept
    /// for the response-latency figure only when there are metrics).
    var dispatchedAt = 0.0
    var scratch: [UInt8] = []
    var fields = HTTPHeaders()
    /// Reading stopped for backpressure: a full input buffer, or a backend
    /// or client not taking bytes as fast as they come. While a whole
    /// request is with a backend the read event otherwise stays armed,
    /// saving two epoll_ctl calls a request.
    private(set) var readPaused = false
    private(set) var lastActivity: Double

    init(owner: HTTPBalancer, fd: Int32, peer: String) {
        self.owner = owner
        self.peer = Array(peer.utf8)
        tried.reserveCapacity(4)
        lastActivity = owner.base.cachedNow
        state = .readingHead(since: lastActivity)
        // The read event is added only once a read found nothing (armReading):
        // a client whose request came with its connection, answered and
        // closed, costs no epoll_ctl.
        channel = SocketChannel(base: owner.base, fd: fd, owner: self, reading: false)
    }

    /// Reads at once: the request usually arrived with the connection.
    func start() {
        readable()
    }

    var isBusy: Bool {
        if case .forwarding = state { return true }
        return false
    }

    /// The backend connection carrying the current request, if any.
    var attachedBackend: BackendConnection? {
        if case .forwarding(let exchange) = state { return exchange.connection }
        return nil
    }

    /// Whether bytes of the client's input are for us to parse now: not
    /// while a whole request waits for its answer, nor once closing.
    private var readsRequests: Bool {
        switch state {
        case .idle, .readingHead: return true
        case .forwarding(let exchange): return !exchange.requestComplete
        case .closing, .closed: return false
        }
    }

    /// Changes the exchange in place. The payload is taken out of `state`
    /// first so that its buffers stay uniquely referenced (no copy on
    /// write); `change` must not call back into the session.
    @discardableResult
    func updateExchange<Result>(_ change: (inout HTTPExchange) -> Result) -> Result? {
        guard case .forwarding(var exchange) = state else { return nil }
        state = .idle
        defer { state = .forwarding(exchange) }
        return change(&exchange)
    }

    /// The answer is complete: the session waits for the next request.
    func endExchange() {
        if case .forwarding = state { state = .idle }
    }

    // MARK: client side

    private func readable() {
        lastActivity = owner.base.cachedNow
        let received = input.receive(from: channel.fd)
        if case .wouldBlock = received { return armReading() }
        switch (state, received) {
        case (.closed, _):
            return
        case (.closing, .endOfStream), (.closing, .failed):
            return close()
        case (.closing, _):
            return input.clear()
        case (.forwarding(let exchange), _) where exchange.requestComplete:
            switch received {
            case .endOfStream:
                // Half-closed after a whole request: answer it, then close.
                updateExchange { $0.request = .complete(clientHalfClosed: true) }
                return pauseReading()
            case .failed: return close()
            case .bufferFull: return pauseReading()  // pipelined bytes wait for the answer
            case .bytes, .wouldBlock: return
            }
        case (_, .endOfStream), (_, .failed):
            return close()
        case (.idle, _), (.readingHead, _), (.forwarding, _):
            break  // bytes, or a full buffer the parser now judges (431 for an oversized head)
        }
        process()
    }

    func process() {
        while !readPaused, readsRequests {
            let (event, consumed) = parser.next(input.readable)
            switch event {
            case .head(let head):
                input.consume(consumed)
                begin(head)
            case .body(let bytes):
                forward(bytes)
                input.consume(consumed)
            case .end:
                input.consume(consumed)
                if requestIsChunked { ForwardedHead.lastChunk.withUnsafeBytes { toBackend($0, remember: true) } }
                updateExchange { $0.request = .complete(clientHalfClosed: false) }  // the next request waits for this answer
            case .needMore:
                input.consume(consumed)
                if case .idle = state, !input.isEmpty { state = .readingHead(since: owner.base.cachedNow) }
                return armReading()
            case .error(let error):
                return answer(error.status, error.reason)
            }
        }
    }

    private var requestIsChunked: Bool {
        if case .forwarding(let exchange) = state { return exchange.chunkedRequest }
        return false
    }

    private func begin(_ head: RequestHead) {
        guard owner.directory.upCount > 0 else { return answer(503, "no backend is up") }
        tried.removeAll(keepingCapacity: true)
        if head.expectsContinue { sendToClient(Self.continueLine) }
        state = .forwarding(HTTPExchange(head: head, startedAt: owner.base.cachedNow))
        dispatch(writing: head)
    }

    /// Body bytes from the client, chunk-encoded again if they came chunked.
    private func forward(_ bytes: UnsafeRawBufferPointer) {
        if requestIsChunked {
            var chunk = scratch  // one send for size, bytes and CRLF
            scratch = []
            chunk.removeAll(keepingCapacity: true)
            ForwardedHead.appendChunk(bytes, to: &chunk)
            chunk.withUnsafeBytes { toBackend($0, remember: true) }
            scratch = chunk
        } else {
            toBackend(bytes, remember: true)
        }
    }

    private func toBackend(_ bytes: UnsafeRawBufferPointer, remember: Bool) {
        guard isBusy else { return }
        if remember { replay.record(bytes) }
        if let backend = attachedBackend {
            if !backend.send(bytes) { return }  // the failure arrives as an event
            if backend.output.pending > Self.highWater { pauseReading() }
        } else if let held = updateExchange({ $0.hold(bytes) }), held > Self.highWater {
            pauseReading()
        }
    }

    /// Picks the next backend not yet tried and hands it the request; the
    /// first time (`head` given) writes the request for it, which a retry
    /// elsewhere then sends again as it is.
    func dispatch(writing head: RequestHead? = nil) {
        guard case .forwarding(let exchange) = state else { return }
        guard tried.count <= owner.config.retries, let address = owner.directory.next(excluding: tried) else {
            // haproxy's words: refused connects only is 503, a broken answer 502.
            return exchange.backendBroke ? answer(502, "no backend could answer") : answer(503, "no backend is up")
        }
        let metrics = owner.metrics
        if let metrics {
            if let failed = tried.last { metrics.figures(failed).retries.increment() }
            dispatchedAt = MonotonicClock.seconds()
        }
        tried.append(address)
        if let head {
            replay.start {
                ForwardedHead.writeRequest(head, clientAddress: peer, backend: address, keys: owner.idempotencyKeys,
                                           fields: &fields, into: &$0)
            }
            let written = replay.bytes  // shares the replay's storage until the connection takes it
            updateExchange { $0.backend = .waiting(pending: written) }
        }
        if let idle = owner.takeIdle(address) { return attach(idle) }
        Connector(base: owner.base, address: address, timeout: owner.config.connectTimeout) { [weak self, dispatchedAt] result in
            if let metrics {
                let figures = metrics.figures(address)
                if case .success = result {
                    figures.connectDuration.record(MonotonicClock.seconds() - dispatchedAt)
                } else {
                    figures.connectErrors.increment()
                }
            }
            guard let self, self.isBusy else {
                if case .success(let fd) = result { Glibc.close(fd) }
                return
            }
            switch result {
            case .success(let fd):
                self.attach(self.owner.adopt(fd: fd, address: address))
            case .failure:
                self.owner.directory.failed(address)
                if self.replay.isWhole { self.updateExchange { $0.backend = .waiting(pending: self.replay.bytes) } }
                self.dispatch()
            }
        }
    }

    /// Sends what waited for the connection, then streams directly.
    private func attach(_ connection: BackendConnection) {
        guard case .forwarding(let exchange) = state else { return }
        let headRequest = exchange.method == .HEAD, requestComplete = exchange.requestComplete
        connection.begin(for: self, headRequest: headRequest)
        let pending = updateExchange { $0.attach(connection) } ?? []
        if !pending.isEmpty { pending.withUnsafeBytes { toBackend($0, remember: false) } }
        if !requestComplete { resumeReading() }
    }

    // MARK: plumbing

    @discardableResult
    func sendToClient(_ bytes: [UInt8]) -> Bool {
        bytes.withUnsafeBytes { output.send($0) }
    }

    func closeAfterFlush() {
        state = .closing
        pauseReading()
        if output.pending == 0 { close() }
    }

    private func armReading() {
        guard !readPaused, channel.isOpen else { return }
        if case .closing = state { return }
        channel.startReading()
    }

    private func pauseReading() {
        guard !readPaused, channel.isOpen else { return }
        readPaused = true
        channel.stopReading()
    }

    func resumeReading() {
        guard readPaused, channel.isOpen else { return }
        if case .closing = state { return }
        readPaused = false
        armReading()
        if !input.isEmpty { process() }
    }

    private func writable() {
        lastActivity = owner.base.cachedNow
        guard output.flush() else { return close() }
        if output.pending == 0, case .closing = state { return close() }
        if output.pending <= Self.highWater / 2 { attachedBackend?.resumeReading() }
    }

    func close() {
        guard channel.isOpen else { return }
        channel.close()
        if let backend = attachedBackend { backend.delegate = nil; backend.close() }
        state = .closed
        owner.sessionClosed(self)
    }

    deinit {
        assert(!channel.isOpen, "HTTPSession not closed")
    }
}

extension HTTPSession: SocketChannelOwner {
    func channelReadable() { readable() }
    func channelWritable() { writable() }
}
