import EventCore
import HTTP1

/// The backend half of a session: what its backend connection reports
/// (head, body bytes, end, failure, drained), the server timeout, and the
/// balancer's own answers (400, 502, 503, 504).
extension HTTPSession: BackendConnectionDelegate {
    func backend(_ connection: BackendConnection, head: ResponseHead) {
        guard case .forwarding(let current) = state else { return }
        if let metrics = owner.metrics {
            let figures = metrics.figures(connection.address)
            figures.responded(status: head.status)
            figures.responseDuration.record(MonotonicClock.seconds() - dispatchedAt)
        }
        let keepAlive = current.clientKeepAlive && head.framing != .untilClose && !owner.isStopping
        updateExchange { $0.response = .relaying(chunked: head.framing == .chunked, closeClientAfter: !keepAlive) }
        scratch.removeAll(keepingCapacity: true)
        ForwardedHead.writeResponse(head, backend: owner.config.exposeBackend ? connection.addressText : nil, keepAlive: keepAlive,
                                    clientVersion: current.clientVersion, fields: &fields, into: &scratch)
        sendToClient(scratch)
    }

    func backend(_ connection: BackendConnection, body: UnsafeRawBufferPointer) {
        if case .forwarding(let current) = state, case .relaying(chunked: true, _) = current.response {
            scratch.removeAll(keepingCapacity: true)
            ForwardedHead.appendChunk(body, to: &scratch)
            guard sendToClient(scratch) else { return close() }  // the client is gone
        } else {
            guard output.send(body) else { return close() }  // the client is gone
        }
        if output.pending > Self.highWater { connection.pauseReading() }
    }

    func backendEnded(_ connection: BackendConnection) {
        guard case .forwarding(let current) = state else { return }
        var closeClientAfter = false
        if case .relaying(let chunked, let close) = current.response {
            if chunked { sendToClient(ForwardedHead.lastChunk) }
            closeClientAfter = close
        }
        endExchange()
        if connection.keepAlive && current.requestComplete { owner.release(connection) } else { connection.close() }
        guard case .complete(clientHalfClosed: false) = current.request, !closeClientAfter else { return closeAfterFlush() }
        if readPaused { resumeReading() } else { process() }
    }

    func backendFailed(_ connection: BackendConnection, beforeAnyByte: Bool, error: HTTPParseError?) {
        guard case .forwarding(let current) = state else { return }
        owner.metrics?.figures(connection.address).responseErrors.increment()
        if current.mayRetry(beforeAnyByte: beforeAnyByte, reusedConnection: connection.reused, replayValid: replay.isWhole) {
            connection.delegate = nil
            let replayed = replay.bytes
            updateExchange {
                $0.backend = .waiting(pending: replayed)
                $0.backendBroke = $0.backendBroke || !connection.reused
            }
            return dispatch()
        }
        updateExchange { $0.backend = .waiting(pending: []) }  // it closes itself
        if !current.responseStarted {
            answer(502, error == nil ? "backend closed before answering" : "backend sent an invalid response")
        } else {
            close()
        }
    }

    func backendDrained(_ connection: BackendConnection) {
        guard case .forwarding(let current) = state, !current.requestComplete else { return }
        if connection.output.pending <= Self.highWater / 2 { resumeReading() }
    }

    /// The server timeout: 504 if the backend stays silent too long (no
    /// byte either way) before its answer, a cut answer after; the
    /// http-request timeout: 408 if a head takes too long, however it
    /// trickles; the client timeout while no request is in flight.
    func checkTimeouts(now: Double) {
        switch state {
        case .readingHead(let since) where now - since > owner.config.httpRequestTimeout:
            answer(408, "the request head did not arrive in time")
        case .forwarding(let current):
            // Server inactivity: no byte either way since the request was
            // handed over or since the connection last moved one.
            let lastServerActivity = max(current.startedAt, current.connection?.lastActivity ?? 0)
            guard now - lastServerActivity > owner.config.serverTimeout else { return }
            if let metrics = owner.metrics, let connection = current.connection {
                metrics.figures(connection.address).timeouts.increment()
            }
            if !current.responseStarted {
                current.connection?.close()
                updateExchange { $0.backend = .waiting(pending: []) }
                answer(504, "backend did not answer in time")
            } else if current.connection?.isReadingPaused == false {
                close()  // silent in the middle of its answer: the client sees it cut short
            }
        case .idle, .readingHead, .closing:
            if now - lastActivity > owner.config.clientTimeout { close() }
        case .closed:
            break
        }
    }

    /// Our own answer, then close once it is sent.
    func answer(_ status: Int, _ reason: String) {
        owner.metrics?.answered(own: status)
        if let backend = attachedBackend { backend.delegate = nil; backend.close() }
        let body = reason + "\n"
        sendToClient(Array(("HTTP/1.1 \(status) \(HTTPStatus.reason(status))\r\nContent-Type: text/plain\r\n"
            + "Content-Length: \(body.utf8.count)\r\nConnection: close\r\n\r\n" + body).utf8))
        closeAfterFlush()
    }

    static let continueLine = Array("HTTP/1.1 100 Continue\r\n\r\n".utf8)
}
