import EventCore
import HTTP1

/// The backend half of a session: what its backend connection reports
/// (head, body bytes, end, failure, drained), the server timeout, and the
/// balancer's own answers (400, 502, 503, 504).
extension HTTPSession: BackendConnectionDelegate {
    func backend(_ connection: BackendConnection, head: ResponseHead) {
        guard var current = exchange else { return }
        current.responseStarted = true
        current.chunkedResponse = head.framing == .chunked
        let keepAlive = current.clientKeepAlive && head.framing != .untilClose && !owner.isStopping
        current.closeClientAfter = !keepAlive
        exchange = current
        scratch.removeAll(keepingCapacity: true)
        ForwardedHead.writeResponse(head, backend: connection.addressText, keepAlive: keepAlive,
                                    clientVersion: current.clientVersion, into: &scratch)
        sendToClient(scratch)
    }

    func backend(_ connection: BackendConnection, body: UnsafeRawBufferPointer) {
        if exchange?.chunkedResponse == true {
            scratch.removeAll(keepingCapacity: true)
            ForwardedHead.appendChunk(body, to: &scratch)
            guard sendToClient(scratch) else { return close() }  // the client is gone
        } else {
            guard output.send(body) else { return close() }  // the client is gone
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
        if readPaused { resumeReading() } else { process() }
    }

    func backendFailed(_ connection: BackendConnection, beforeAnyByte: Bool, error: HTTPParseError?) {
        guard let current = exchange else { return }
        if current.mayRetry(beforeAnyByte: beforeAnyByte, reusedConnection: connection.reused, replayValid: replayValid) {
            exchange!.backend = nil
            exchange!.pending = replay
            exchange!.backendBroke = exchange!.backendBroke || !connection.reused
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

    /// Our own answer, then close once it is sent.
    func answer(_ status: Int, _ reason: String) {
        if let backend = exchange?.backend { backend.delegate = nil; backend.close() }
        exchange = nil
        let body = reason + "\n"
        sendToClient(Array(("HTTP/1.1 \(status) \(HTTPStatus.reason(status))\r\nContent-Type: text/plain\r\n"
            + "Content-Length: \(body.utf8.count)\r\nConnection: close\r\n\r\n" + body).utf8))
        closeAfterFlush()
    }

    static let continueLine = Array("HTTP/1.1 100 Continue\r\n\r\n".utf8)
}
