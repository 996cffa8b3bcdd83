import CLibevent
import EventCore
import HTTP1
#if canImport(Glibc)
import Glibc
#endif

/// Who a backend connection reports to while it carries a request.
protocol BackendConnectionDelegate: AnyObject {
    func backend(_ connection: BackendConnection, head: ResponseHead)
    func backend(_ connection: BackendConnection, body: UnsafeRawBufferPointer)
    func backendEnded(_ connection: BackendConnection)
    /// Closed or broken; `beforeAnyByte` when not one byte of an answer came.
    func backendFailed(_ connection: BackendConnection, beforeAnyByte: Bool, error: HTTPParseError?)
    func backendDrained(_ connection: BackendConnection)
}

/// One kept-alive connection to a backend: owns its socket, buffers and
/// response parser. Idle in its pool between requests; an EOF while idle
/// just closes it.
final class BackendConnection {
    let address: SocketAddress
    /// `HOST:PORT` as bytes, for the X-Backend header of every answer.
    let addressText: [UInt8]
    private let fd: Int32
    private var readEvent: OpaquePointer?
    private(set) var output: OutputQueue!
    private let input = InputBuffer(capacity: 16 * 1024, maxCapacity: 64 * 1024)
    private var parser = ResponseParser()
    weak var delegate: BackendConnectionDelegate?
    /// True once it has carried a request (a reused connection may have been
    /// closed by the backend meanwhile: then the request may be retried).
    private(set) var reused = false
    private var receivedAny = false
    private var readingPaused = false
    private(set) var keepAlive = true
    private unowned let owner: HTTPBalancer

    init(owner: HTTPBalancer, fd: Int32, address: SocketAddress) {
        self.owner = owner
        self.fd = fd
        self.address = address
        addressText = Array(address.description.utf8)
        let context = Unmanaged.passUnretained(self).toOpaque()
        output = OutputQueue(base: owner.base, fd: fd, context: context, onWritable: BackendConnection.onWritable)
        readEvent = event_new(owner.base.handle, fd, Int16(EV_READ | EV_PERSIST), BackendConnection.onReadable, context)
        event_add(readEvent, nil)
    }

    var isOpen: Bool { readEvent != nil }

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
        guard !readingPaused, let readEvent else { return }
        readingPaused = true
        event_del(readEvent)
    }

    func resumeReading() {
        guard readingPaused, let readEvent else { return }
        readingPaused = false
        event_add(readEvent, nil)
        if !input.isEmpty { process() }
    }

    private func readable() {
        let received = input.fill(from: fd)
        if received < 0 && (errno == EAGAIN || errno == EINTR) { return }
        if received <= 0 {
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
        guard output.flush() else {
            delegate?.backendFailed(self, beforeAnyByte: !receivedAny, error: nil)
            return close()
        }
        delegate?.backendDrained(self)
    }

    func close() {
        guard let event = readEvent else { return }
        readEvent = nil
        event_free(event)
        output.close()
        Glibc.close(fd)
        owner.backendClosed(self)
    }

    deinit {
        assert(readEvent == nil, "BackendConnection not closed")
    }

    private static let onReadable: event_callback_fn = { _, _, context in
        let connection = Unmanaged<BackendConnection>.fromOpaque(context!).takeUnretainedValue()
        withExtendedLifetime(connection) { connection.readable() }
    }

    private static let onWritable: event_callback_fn = { _, _, context in
        let connection = Unmanaged<BackendConnection>.fromOpaque(context!).takeUnretainedValue()
        withExtendedLifetime(connection) { connection.writable() }
    }
}
