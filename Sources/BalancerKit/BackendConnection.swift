import EventCore
import HTTP1
#if canImport(Glibc)
import Glibc
#endif

/// One kept-alive connection to a backend: owns its socket, buffers and
/// response parser. Idle in its pool between requests; an EOF while idle
/// just closes it.
final class BackendConnection {
    let address: SocketAddress
    /// `HOST:PORT` as bytes, for the X-Backend header (with --expose-backend).
    let addressText: [UInt8]
    private var channel: SocketChannel!
    var output: OutputQueue { channel.output }
    private let input = InputBuffer(capacity: 16 * 1024, maxCapacity: 64 * 1024)
    private var parser = ResponseParser()
    weak var delegate: BackendConnectionDelegate?
    /// True once it has carried a request (a reused connection may have been
    /// closed by the backend meanwhile: then the request may be retried).
    private(set) var reused = false
    private var receivedAny = false
    private var readingPaused = false
    private(set) var keepAlive = true
    /// When a byte last moved to or from the backend: the server timeout
    /// counts inactivity, as haproxy's `timeout server` does.
    private(set) var lastActivity: Double
    private unowned let owner: HTTPBalancer

    init(owner: HTTPBalancer, fd: Int32, address: SocketAddress) {
        self.owner = owner
        self.address = address
        addressText = Array(address.description.utf8)
        lastActivity = owner.base.cachedNow
        channel = SocketChannel(base: owner.base, fd: fd, owner: self)
    }

    var isOpen: Bool { channel.isOpen }
    /// Paused because the client is slow: its silence is then not the backend's.
    var isReadingPaused: Bool { readingPaused }

    /// Sends request bytes; false if the connection broke (the failure
    /// arrives as an event).
    func send(_ bytes: UnsafeRawBufferPointer) -> Bool {
        lastActivity = owner.base.cachedNow
        return output.send(bytes)
    }

    /// Starts carrying one request for `delegate`.
    func begin(for delegate: BackendConnectionDelegate, headRequest: Bool) {
        self.delegate = delegate
        parser.expectResponse(toHead: headRequest)
        receivedAny = false
        keepAlive = true
    }

    /// Marks the end of a request: back to the pool, ready for another.
    func finishRequest() {
        delegate = nil
        reused = true
        resumeReading()
    }

    func pauseReading() {
        guard !readingPaused, channel.isOpen else { return }
        readingPaused = true
        channel.stopReading()
    }

    func resumeReading() {
        guard readingPaused, channel.isOpen else { return }
        readingPaused = false
        channel.startReading()
        if !input.isEmpty { process() }
    }

    private func readable() {
        lastActivity = owner.base.cachedNow
        switch input.receive(from: channel.fd) {
        case .wouldBlock:
            return
        case .bytes, .bufferFull:
            break  // a full buffer: the parser judges what it holds (an oversized head is an error)
        case .endOfStream, .failed:
            if let delegate {
                if case .end? = parser.finish() {
                    keepAlive = false
                    delegate.backendEnded(self)
                } else {
                    delegate.backendFailed(self, beforeAnyByte: !receivedAny, error: nil)
                }
            }
            return close()
        }
        guard delegate != nil else { return close() }  // bytes nobody asked for
        receivedAny = true
        process()
    }

    private func process() {
        while let delegate, !readingPaused {
            let (event, consumed) = parser.next(input.readable)
            switch event {
            case .head(let head):
                if head.status >= 200 {
                    keepAlive = head.keepAlive
                    delegate.backend(self, head: head)
                }
            case .body(let bytes):
                delegate.backend(self, body: bytes)
            case .end:
                input.consume(consumed)
                delegate.backendEnded(self)
                continue
            case .needMore:
                input.consume(consumed)
                return
            case .error(let error):
                delegate.backendFailed(self, beforeAnyByte: false, error: error)
                return close()
            }
            input.consume(consumed)
        }
    }

    private func writable() {
        lastActivity = owner.base.cachedNow
        guard output.flush() else {
            delegate?.backendFailed(self, beforeAnyByte: !receivedAny, error: nil)
            return close()
        }
        delegate?.backendDrained(self)
    }

    func close() {
        guard channel.isOpen else { return }
        channel.close()
        owner.backendClosed(self)
    }

    deinit {
        assert(!channel.isOpen, "BackendConnection not closed")
    }
}

extension BackendConnection: SocketChannelOwner {
    func channelReadable() { readable() }
    func channelWritable() { writable() }
}
