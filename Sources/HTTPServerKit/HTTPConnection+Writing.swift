import EventCore
import HTTP1
#if canImport(Glibc)
import Glibc
#endif

/// Writing answers: HTTP1's head writer frames the head into the
/// connection's reused scratch buffer (status line, cached Date, the
/// handler's fields, Content-Length, Connection) and it goes out with the
/// body in as few system calls as possible.
extension HTTPConnection {

    static let continueLine = Array("HTTP/1.1 100 Continue\r\n\r\n".utf8)

    /// Frames and sends one answer to `request` (nil: a head that never
    /// parsed), then keeps the connection or closes it as `after` says.
    func send(_ response: HTTPResponse, to request: Request?, then after: AfterAnswer) {
        let isHead = request?.isHead ?? false
        var linger = false
        var close = server.isDraining
        if case .close(let lingering) = after { close = true; linger = lingering }
        let status = response.status
        var generated = GeneratedFields(dateLine: server.date.headerLine(now: Int(lastActivity)))
        var chunked = false
        if status >= 200 && status != 204 && status != 304 {
            if let length = response.body.length {
                generated.contentLength = length
            } else if request?.version == .http11 {
                generated.chunked = true
                chunked = true
            } else if !isHead {
                close = true  // HTTP/1.0 knows no chunks: the body ends when the connection does
            }
        }
        if close {
            generated.connection = .close
        } else if request?.version == .http10 {
            generated.connection = .keepAlive
        }
        if let observer {
            if observed == nil && request == nil { observed = observer.headFailed(from: peer) }
            observer.answered(observed, status: status, bodyBytesReceived: bodyBytesReceived,
                              bodyBytesSent: isHead ? 0 : response.body.length)
            observed = nil
        }
        scratch.removeAll(keepingCapacity: true)
        ResponseHead(status: status, headers: response.headers).serialize(into: &scratch, adding: generated)
        var alive: Bool
        if case .bytes(let body) = response.body, !isHead {
            // Head and body in one writev, the body not copied.
            alive = scratch.withUnsafeBytes { head in body.withUnsafeBytes { output.send(head, $0) } }
        } else {
            alive = scratch.withUnsafeBytes { output.send($0) }
            if isHead {
                response.body.discard()
            } else if alive {
                alive = append(response.body, chunked: chunked)
            } else {
                response.body.discard()
            }
        }
        if !alive { close = true }
        if !close && !noDelaySet {
            noDelaySet = true
            Sockets.setNoDelay(fd)
        }
        state = close ? .closingAfterFlush(linger: linger) : .awaitingHead(since: nil)
        // The next request also waits while this answer is still produced.
        if output.pending > server.config.writeHighWater || producing != nil { throttle() }
    }

    /// Sends a body after its head; false if it could not all be queued
    /// (the connection must then close: the promised length cannot be met).
    private func append(_ body: ResponseBody, chunked: Bool = false) -> Bool {
        switch body {
        case .empty:
            return true
        case .bytes(let bytes):
            return bytes.withUnsafeBytes { output.send($0) }
        case .file(let descriptor, let offset, let length):
            if length == 0 { Glibc.close(descriptor); return true }
            guard output.queueFile(descriptor, offset: offset, length: length) else {
                Glibc.close(descriptor)  // not taken: still ours
                return false
            }
            return output.flush()
        case .parts(let parts):
            var complete = true
            for part in parts {
                if complete { complete = append(part) } else { part.discard() }
            }
            return complete
        case .produced(let producer):
            producing = Production(producer: producer, remaining: producer.length, chunked: chunked)
            return produceMore()
        }
    }

    /// Output a produced body may queue before it waits for the client:
    /// a few pieces, so a few descriptors (or a few chunks of a listing) at most.
    static let producedWindow = 256 * 1024

    /// Appends produced pieces until the window is full, the producer has
    /// to make the next one off the loop, or the body is complete; false
    /// when the connection must close (the peer is gone, the producer
    /// failed, or the body ended short of its promised length).
    func produceMore() -> Bool {
        guard var production = producing, !production.waiting else { return true }
        func finish(_ complete: Bool) -> Bool {
            producing = nil
            production.producer.discard()
            return complete
        }
        while output.pending < Self.producedWindow {
            let piece = production.producer.next { [weak self] in self?.producerResumed() }
            switch piece {
            case .waiting:
                production.waiting = true
                producing = production
                return true
            case .failed:
                return finish(false)
            case .end:
                guard production.remaining ?? 0 == 0 else { return finish(false) }
                guard production.chunked else { return finish(true) }
                return finish(ChunkedCoding.lastChunk.withUnsafeBytes { output.send($0) })
            case .piece(let body):
                guard let size = body.length else { body.discard(); return finish(false) }
                if let remaining = production.remaining {
                    guard remaining >= size else { body.discard(); return finish(false) }
                    production.remaining = remaining - size
                } else {
                    observer?.producedBodyBytes(size)
                }
                guard appendPiece(body, size: size, chunked: production.chunked) else { return finish(false) }
            }
        }
        producing = production
        return true
    }

    /// One produced piece, framed as a chunk when the length is unknown.
    private func appendPiece(_ body: ResponseBody, size: Int, chunked: Bool) -> Bool {
        guard chunked, size > 0 else { return append(body) }
        scratch.removeAll(keepingCapacity: true)
        ChunkedCoding.appendChunkHeader(size: size, to: &scratch)
        guard scratch.withUnsafeBytes({ output.send($0) }) else { body.discard(); return false }
        return append(body) && ChunkedCoding.chunkEnd.withUnsafeBytes { output.send($0) }
    }
}
