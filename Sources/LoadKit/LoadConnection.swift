import EventCore
import HTTP1
#if canImport(Glibc)
import Glibc
#endif

/// One client connection of the load generator: sends a request, reads its
/// response through the project's parser, and reports the status and
/// whether the body matched what was expected. Its socket is a
/// `SocketChannel`; `close()` frees it once.
final class LoadConnection {
    /// What became of one request: an answer (status, whether the body was
    /// the expected one, whether the connection may be reused), or a failure
    /// without an answer (`reset`, `bad response`).
    enum Outcome {
        case answered(status: Int, verified: Bool, keepAlive: Bool)
        case failed(String)
    }

    private var channel: SocketChannel!
    private let input = InputBuffer(capacity: 64 * 1024, maxCapacity: 64 * 1024)
    private var parser = ResponseParser()
    private var completion: ((Outcome) -> Void)?
    private var expectedBody: [UInt8]?
    private var bodyOffset = 0
    private var bodyMatches = true
    private var status = 0
    private var keepAlive = true

    init(base: EventBase, fd: Int32) {
        channel = SocketChannel(base: base, fd: fd, owner: self)
    }

    var isOpen: Bool { channel.isOpen }

    /// Sends `request`; `completion` runs once with its outcome.
    func send(_ request: LoadRequest, completion: @escaping (Outcome) -> Void) {
        self.completion = completion
        expectedBody = request.expectedBody
        bodyOffset = 0
        bodyMatches = true
        status = 0
        parser.expectResponse(toHead: request.method == .HEAD)
        var ok = request.head.withUnsafeBytes { channel.output.send($0) }
        if ok, let body = request.body { ok = body.withUnsafeBytes { channel.output.send($0) } }
        if !ok { finish(.failed("reset")) }
    }

    private func readable() {
        switch input.receive(from: channel.fd) {
        case .bytes: break
        case .wouldBlock: return
        case .bufferFull: return finish(.failed("bad response"))  // a head larger than the buffer
        case .endOfStream, .failed:
            if case .end? = parser.finish(), status > 0 {
                return finish(.answered(status: status, verified: verdict(), keepAlive: false))
            }
            return finish(.failed("reset"))
        }
        while completion != nil {
            let (event, consumed) = parser.next(input.readable)
            switch event {
            case .head(let head):
                if head.status >= 200 {
                    status = head.status
                    keepAlive = head.keepAlive
                }
            case .body(let bytes):
                check(bytes)
            case .end:
                input.consume(consumed)
                return finish(.answered(status: status, verified: verdict(), keepAlive: keepAlive))
            case .needMore:
                input.consume(consumed)
                return
            case .error:
                return finish(.failed("bad response"))
            }
            input.consume(consumed)
        }
    }

    private func check(_ bytes: UnsafeRawBufferPointer) {
        guard let expected = expectedBody, bodyMatches else { return }
        if bodyOffset + bytes.count > expected.count || !expected[bodyOffset..<(bodyOffset + bytes.count)].elementsEqual(bytes) {
            bodyMatches = false
        }
        bodyOffset += bytes.count
    }

    private func verdict() -> Bool {
        guard let expected = expectedBody, status == 200 else { return true }
        return bodyMatches && bodyOffset == expected.count
    }

    private func finish(_ outcome: Outcome) {
        let report = completion
        completion = nil
        if case .failed = outcome { close() }
        report?(outcome)
    }

    private func writable() {
        if !channel.output.flush() { finish(.failed("reset")) }
    }

    func close() {
        channel.close()
    }

    deinit {
        assert(!channel.isOpen, "LoadConnection not closed")
    }
}

extension LoadConnection: SocketChannelOwner {
    func channelReadable() { readable() }
    func channelWritable() { writable() }
}
