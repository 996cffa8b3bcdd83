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
    var exchange: HTTPExchange?
    /// Buffers reused by every request on this connection, so that a
    /// request allocates nothing here: the request as sent to the backend
    /// (head, then body bytes while small: kept to retry it elsewhere), the
    /// backends tried, and heads or chunks on their way to the client.
    var replay: [UInt8] = []
    var replayValid = false
    private var tried: [SocketAddress] = []
    var scratch: [UInt8] = []
    var readPaused = false
    /// A whole request went to a backend: later (pipelined) bytes wait in
    /// the input buffer. The read event stays armed, saving two epoll_ctl
    /// calls a request; only a full buffer pauses it.
    var awaitingResponse = false
    var peerSentEOF = false
    private var closing = false
    private(set) var lastActivity: Double

    init(owner: HTTPBalancer, fd: Int32, peer: String) {
        self.owner = owner
        self.peer = Array(peer.utf8)
        tried.reserveCapacity(4)
        lastActivity = owner.base.cachedNow
        // The read event is added only once a read found nothing (armReading):
        // a client whose request came with its connection, answered and
        // closed, costs no epoll_ctl.
        channel = SocketChannel(base: owner.base, fd: fd, owner: self, reading: false)
    }

    /// Reads at once: the request usually arrived with the connection.
    func start() {
        readable()
    }

    var isBusy: Bool { exchange != nil }

    // MARK: client side

    private func readable() {
        lastActivity = owner.base.cachedNow
        let received = input.fill(from: channel.fd)
        if received == -1 && (errno == EAGAIN || errno == EINTR) { return armReading() }
        if received == 0 && awaitingResponse && !closing {
            // Half-closed after a whole request: answer it, then close.
            peerSentEOF = true
            return pauseReading()
        }
        if received == 0 || received == -1 {
            if closing { return close() }
            exchange?.backend?.close()
            return close()
        }
        if closing { input.clear(); return }
        if awaitingResponse {
            if received == -2 { pauseReading() }  // buffer full: wait for the answer
            return
        }
        process()
    }

    func process() {
        while !readPaused, !awaitingResponse, !closing, channel.isOpen {
            let (event, consumed) = parser.next(input.readable)
            switch event {
            case .head(let head):
                input.consume(consumed)
                begin(head)
            case .body(let bytes):
                forward(bytes, chunked: exchange?.chunkedRequest ?? false)
                input.consume(consumed)
            case .end:
                input.consume(consumed)
                if exchange?.chunkedRequest == true { ForwardedHead.lastChunk.withUnsafeBytes { toBackend($0, remember: true) } }
                exchange?.requestComplete = true
                awaitingResponse = true  // the next request waits for this answer
            case .needMore:
                input.consume(consumed)
                return armReading()
            case .error(let error):
                return answer(error.status, error.reason)
            }
        }
    }

    private func begin(_ head: RequestHead) {
        guard owner.directory.upCount > 0 else { return answer(503, "no backend is up") }
        exchange = HTTPExchange(head: head, startedAt: owner.base.cachedNow)
        tried.removeAll(keepingCapacity: true)
        if head.expectsContinue { sendToClient(Self.continueLine) }
        replay.removeAll(keepingCapacity: true)
        ForwardedHead.writeRequest(head, clientAddress: peer, into: &replay)
        replayValid = replay.count <= HTTPExchange.replayLimit
        exchange!.pending = replay  // shares the storage until the connection takes it
        dispatch()
    }

    /// Body bytes from the client, chunk-encoded again if they came chunked.
    private func forward(_ bytes: UnsafeRawBufferPointer, chunked: Bool) {
        if chunked {
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
        guard exchange != nil else { return }
        if remember && replayValid {
            if replay.count + bytes.count > HTTPExchange.replayLimit { replayValid = false } else { replay.append(contentsOf: bytes) }
        }
        if let backend = exchange!.backend, !exchange!.connecting {
            if !backend.output.send(bytes) { return }  // the failure arrives as an event
            if backend.output.pending > Self.highWater { pauseReading() }
        } else {
            exchange!.pending.append(contentsOf: bytes)
            if exchange!.pending.count > Self.highWater { pauseReading() }
        }
    }

    /// Picks the next backend not yet tried and hands it the request.
    func dispatch() {
        guard exchange != nil else { return }
        guard tried.count <= owner.config.retries, let address = owner.directory.next(excluding: tried) else {
            // haproxy's words: refused connects only is 503, a broken answer 502.
            return exchange!.backendBroke ? answer(502, "no backend could answer") : answer(503, "no backend is up")
        }
        tried.append(address)
        if let idle = owner.takeIdle(address) {
            exchange!.backend = idle
            attach(idle)
            return
        }
        exchange!.connecting = true
        Connector(base: owner.base, address: address, timeout: owner.config.connectTimeout) { [weak self] result in
            guard let self, self.exchange != nil else {
                if case .success(let fd) = result { Glibc.close(fd) }
                return
            }
            switch result {
            case .success(let fd):
                let connection = self.owner.adopt(fd: fd, address: address)
                self.exchange!.connecting = false
                self.exchange!.backend = connection
                self.attach(connection)
            case .failure:
                self.owner.directory.failed(address)
                self.exchange!.connecting = false
                if self.replayValid { self.exchange!.pending = self.replay }
                self.dispatch()
            }
        }
    }

    /// Sends what waited for the connection, then streams directly.
    private func attach(_ connection: BackendConnection) {
        connection.begin(for: self, headRequest: exchange!.method == .HEAD)
        let pending = exchange!.pending
        exchange!.pending = []
        if !pending.isEmpty { pending.withUnsafeBytes { toBackend($0, remember: false) } }
        if !exchange!.requestComplete { resumeReading() }
    }

    // MARK: plumbing

    @discardableResult
    func sendToClient(_ bytes: [UInt8]) -> Bool {
        bytes.withUnsafeBytes { output.send($0) }
    }

    func closeAfterFlush() {
        closing = true
        pauseReading()
        if output.pending == 0 { close() }
    }

    private func armReading() {
        guard !readPaused, !closing, channel.isOpen else { return }
        channel.startReading()
    }

    private func pauseReading() {
        guard !readPaused, channel.isOpen else { return }
        readPaused = true
        channel.stopReading()
    }

    func resumeReading() {
        guard readPaused, !closing, channel.isOpen else { return }
        readPaused = false
        armReading()
        if !input.isEmpty { process() }
    }

    private func writable() {
        lastActivity = owner.base.cachedNow
        guard output.flush() else { return close() }
        if output.pending == 0 && closing { return close() }
        if output.pending <= Self.highWater / 2 { exchange?.backend?.resumeReading() }
    }

    func close() {
        guard channel.isOpen else { return }
        channel.close()
        if let backend = exchange?.backend { backend.delegate = nil; backend.close() }
        exchange = nil
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
