import CLibevent
import EventCore
import HTTP1
#if canImport(Glibc)
import Glibc
#endif

/// One client connection in http mode: parses its requests with our codec,
/// sends each to the next backend in turn on a kept-alive connection,
/// streams bodies both ways with backpressure, and answers 502, 503 and 504
/// itself. One request at a time: pipelined ones wait in the input buffer.
final class HTTPSession: BackendConnectionDelegate {
    static let highWater = 512 * 1024

    private let fd: Int32
    private var readEvent: OpaquePointer?
    private var output: OutputQueue!
    private let input = InputBuffer(capacity: 16 * 1024, maxCapacity: 64 * 1024)
    private var parser = RequestParser()
    private unowned let owner: HTTPBalancer
    private let peer: String
    private var exchange: HTTPExchange?
    private var readPaused = false
    /// A whole request went to a backend: later (pipelined) bytes wait in
    /// the input buffer. The read event stays armed, saving two epoll_ctl
    /// calls a request; only a full buffer pauses it.
    private var awaitingResponse = false
    private var peerSentEOF = false
    private var closing = false
    private(set) var lastActivity: Double

    init(owner: HTTPBalancer, fd: Int32, peer: String) {
        self.owner = owner
        self.fd = fd
        self.peer = peer
        lastActivity = owner.base.cachedNow
        let context = Unmanaged.passUnretained(self).toOpaque()
        output = OutputQueue(base: owner.base, fd: fd, context: context, onWritable: HTTPSession.onWritable)
        readEvent = event_new(owner.base.handle, fd, Int16(EV_READ | EV_PERSIST), HTTPSession.onReadable, context)
        event_add(readEvent, nil)
    }

    var isBusy: Bool { exchange != nil }

    // MARK: client side

    private func readable() {
        lastActivity = owner.base.cachedNow
        let received = input.fill(from: fd)
        if received == -1 && (errno == EAGAIN || errno == EINTR) { return }
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

    private func process() {
        while !readPaused, !awaitingResponse, !closing, readEvent != nil {
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
                return
            case .error(let error):
                return answer(error.status, error.reason)
            }
        }
    }

    private func begin(_ head: RequestHead) {
        guard owner.directory.upCount > 0 else { return answer(503, "no backend is up") }
        var exchange = HTTPExchange(head: head, startedAt: owner.base.cachedNow)
        exchange.replay = []
        self.exchange = exchange
        if head.expectsContinue { sendToClient(Array("HTTP/1.1 100 Continue\r\n\r\n".utf8)) }
        ForwardedHead.request(head, clientAddress: peer).withUnsafeBytes { toBackend($0, remember: true) }
        dispatch()
    }

    /// Body bytes from the client, chunk-encoded again if they came chunked.
    private func forward(_ bytes: UnsafeRawBufferPointer, chunked: Bool) {
        if chunked {
            ForwardedHead.chunkPrefix(bytes.count).withUnsafeBytes { toBackend($0, remember: true) }
            toBackend(bytes, remember: true)
            ForwardedHead.chunkSuffix.withUnsafeBytes { toBackend($0, remember: true) }
        } else {
            toBackend(bytes, remember: true)
        }
    }

    private func toBackend(_ bytes: UnsafeRawBufferPointer, remember: Bool) {
        guard exchange != nil else { return }
        if remember { exchange!.remember(bytes) }
        if let backend = exchange!.backend, !exchange!.connecting {
            if !backend.output.send(bytes) { return }  // the failure arrives as an event
            if backend.output.pending > Self.highWater { pauseReading() }
        } else {
            exchange!.pending.append(contentsOf: bytes)
            if exchange!.pending.count > Self.highWater { pauseReading() }
        }
    }

    /// Picks the next backend not yet tried and hands it the request.
    private func dispatch() {
        guard var current = exchange else { return }
        guard current.tried.count <= owner.config.retries, let address = owner.directory.next(excluding: current.tried) else {
            return answer(current.tried.isEmpty ? 503 : 502, current.tried.isEmpty ? "no backend is up" : "no backend could answer")
        }
        current.tried.append(address)
        if let idle = owner.takeIdle(address) {
            current.backend = idle
            exchange = current
            attach(idle)
            return
        }
        current.connecting = true
        exchange = current
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
                self.exchange!.pending = self.exchange!.replay ?? self.exchange!.pending
                self.dispatch()
            }
        }
    }

    /// Sends what waited for the connection, then streams directly.
    private func attach(_ connection: BackendConnection) {
        connection.begin(for: self, headRequest: exchange!.method == .HEAD)
        let pending = exchange!.pending
        exchange!.pending = []
        pending.withUnsafeBytes { toBackend($0, remember: false) }
        if !exchange!.requestComplete { resumeReading() }
    }

    // MARK: backend side

    func backend(_ connection: BackendConnection, head: ResponseHead) {
        guard var current = exchange else { return }
        current.responseStarted = true
        current.chunkedResponse = head.framing == .chunked
        let keepAlive = current.clientKeepAlive && head.framing != .untilClose && !owner.isStopping
        current.closeClientAfter = !keepAlive
        exchange = current
        sendToClient(ForwardedHead.response(head, backend: connection.addressText, keepAlive: keepAlive,
                                            clientVersion: current.clientVersion))
    }

    func backend(_ connection: BackendConnection, body: UnsafeRawBufferPointer) {
        if exchange?.chunkedResponse == true {
            sendToClient(ForwardedHead.chunkPrefix(body.count))
            _ = output.send(body)
            sendToClient(ForwardedHead.chunkSuffix)
        } else {
            _ = output.send(body)
        }
        if output.pending > Self.highWater { connection.pauseReading() }
    }

    func backendEnded(_ connection: BackendConnection) {
        guard let current = exchange else { return }
        if current.chunkedResponse { sendToClient(ForwardedHead.lastChunk) }
        exchange = nil
        if connection.keepAlive && current.requestComplete { owner.release(connection) } else { connection.close() }
        if current.closeClientAfter || !current.requestComplete || peerSentEOF { return closeAfterFlush() }
        awaitingResponse = false
        if readPaused { resumeReading() } else if !input.isEmpty { process() }
    }

    func backendFailed(_ connection: BackendConnection, beforeAnyByte: Bool, error: HTTPParseError?) {
        guard let current = exchange else { return }
        if current.mayRetry(beforeAnyByte: beforeAnyByte, reusedConnection: connection.reused) {
            exchange!.backend = nil
            exchange!.pending = current.replay!
            connection.delegate = nil
            return dispatch()
        }
        exchange!.backend = nil
        if !current.responseStarted {
            answer(502, error == nil ? "backend closed before answering" : "backend sent an invalid response")
        } else {
            close()
        }
    }

    func backendDrained(_ connection: BackendConnection) {
        if exchange?.requestComplete == false && connection.output.pending <= Self.highWater / 2 { resumeReading() }
    }

    /// The server timeout: 504 if no answer came in time.
    func checkTimeouts(now: Double) {
        if let current = exchange {
            if !current.responseStarted && now - current.startedAt > owner.config.serverTimeout {
                current.backend?.close()
                exchange?.backend = nil
                answer(504, "backend did not answer in time")
            }
        } else if now - lastActivity > owner.config.clientTimeout {
            close()
        }
    }

    // MARK: plumbing

    /// Our own answer, then close once it is sent.
    private func answer(_ status: Int, _ reason: String) {
        if let backend = exchange?.backend { backend.delegate = nil; backend.close() }
        exchange = nil
        let body = reason + "\n"
        sendToClient(Array(("HTTP/1.1 \(status) \(HTTPStatus.reason(status))\r\nContent-Type: text/plain\r\n"
            + "Content-Length: \(body.utf8.count)\r\nConnection: close\r\n\r\n" + body).utf8))
        closeAfterFlush()
    }

    private func sendToClient(_ bytes: [UInt8]) {
        _ = bytes.withUnsafeBytes { output.send($0) }
    }

    private func closeAfterFlush() {
        closing = true
        pauseReading()
        if output.pending == 0 { close() }
    }

    private func pauseReading() {
        guard !readPaused, let readEvent else { return }
        readPaused = true
        event_del(readEvent)
    }

    private func resumeReading() {
        guard readPaused, !closing, let readEvent else { return }
        readPaused = false
        event_add(readEvent, nil)
        if !input.isEmpty { process() }
    }

    private func writable() {
        lastActivity = owner.base.cachedNow
        guard output.flush() else { return close() }
        if output.pending == 0 && closing { return close() }
        if output.pending <= Self.highWater / 2 { exchange?.backend?.resumeReading() }
    }

    func close() {
        guard let event = readEvent else { return }
        readEvent = nil
        event_free(event)
        output.close()
        Glibc.close(fd)
        if let backend = exchange?.backend { backend.delegate = nil; backend.close() }
        exchange = nil
        owner.sessionClosed(self)
    }

    deinit {
        assert(readEvent == nil, "HTTPSession not closed")
    }

    private static let onReadable: event_callback_fn = { _, _, context in
        let session = Unmanaged<HTTPSession>.fromOpaque(context!).takeUnretainedValue()
        withExtendedLifetime(session) { session.readable() }
    }

    private static let onWritable: event_callback_fn = { _, _, context in
        let session = Unmanaged<HTTPSession>.fromOpaque(context!).takeUnretainedValue()
        withExtendedLifetime(session) { session.writable() }
    }
}
