import CLibevent
#if canImport(Glibc)
import Glibc
#endif

/// A non-blocking outgoing TCP connection being made: reports once, with
/// the connected descriptor (now the caller's) or the errno of the failure.
public final class Connector {
    private var fd: Int32
    private var event: OpaquePointer?
    private var timer: LoopEvent?
    private var completion: ((Result<Int32, SystemError>) -> Void)?
    private var keepAlive: Connector?

    /// Starts connecting to `address`; `completion` runs exactly once,
    /// possibly before this returns (a refused loopback connect is immediate).
    @discardableResult
    public init(base: EventBase, address: SocketAddress, timeout: Double,
                completion: @escaping (Result<Int32, SystemError>) -> Void) {
        fd = -1
        self.completion = completion
        guard var socketAddress = address.sockaddr() else {
            finish(.failure(SystemError(call: "connect(\(address))", errno: EINVAL)))
            return
        }
        fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_NONBLOCK.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        guard fd >= 0 else {
            finish(.failure(SystemError(call: "socket", errno: errno)))
            return
        }
        Sockets.setNoDelay(fd)
        let result = withUnsafePointer(to: &socketAddress) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        if result == 0 {
            finish(.success(fd))
            return
        }
        guard errno == EINPROGRESS else {
            finish(.failure(SystemError(call: "connect(\(address))", errno: errno)))
            return
        }
        // On loopback the handshake is usually over when connect returns:
        // one getsockopt then saves an event's add, delete and wake-up.
        if Connector.isEstablished(fd) {
            finish(.success(fd))
            return
        }
        keepAlive = self
        event = event_new(base.handle, fd, Int16(EV_WRITE), Connector.onWritable, Unmanaged.passUnretained(self).toOpaque())
        event_add(event, nil)
        timer = LoopEvent.timer(base: base, repeating: false) { [unowned self] in
            self.finish(.failure(SystemError(call: "connect(\(address)): timed out", errno: ETIMEDOUT)))
        }
        timer?.add(after: timeout)
    }

    private static func isEstablished(_ fd: Int32) -> Bool {
        var info = tcp_info()
        var length = socklen_t(MemoryLayout<tcp_info>.size)
        return getsockopt(fd, Int32(IPPROTO_TCP), TCP_INFO, &info, &length) == 0 && info.tcpi_state == 1  // TCP_ESTABLISHED
    }

    private func writable() {
        var code: Int32 = 0
        var length = socklen_t(MemoryLayout<Int32>.size)
        getsockopt(fd, SOL_SOCKET, SO_ERROR, &code, &length)
        finish(code == 0 ? .success(fd) : .failure(SystemError(call: "connect", errno: code)))
    }

    private func finish(_ result: Result<Int32, SystemError>) {
        if let event { event_free(event) }
        event = nil
        timer?.close()
        timer = nil
        if case .failure = result, fd >= 0 { Glibc.close(fd) }
        fd = -1
        let report = completion
        completion = nil
        report?(result)
        keepAlive = nil
    }

    deinit {
        assert(event == nil, "Connector not finished")
    }

    private static let onWritable: event_callback_fn = { _, _, context in
        let connector = Unmanaged<Connector>.fromOpaque(context!).takeUnretainedValue()
        withExtendedLifetime(connector) { connector.writable() }
    }
}
