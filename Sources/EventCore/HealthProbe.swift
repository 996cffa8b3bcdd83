import CLibevent
#if canImport(Glibc)
import Glibc
#endif

/// One asynchronous check of a server on the loop: a TCP connect, or a
/// `GET /healthcheck` that must answer `200`; reports once, then frees its
/// bufferevent. Used by the supervisor (and usable by any health checker).
public final class HealthProbe {
    public enum Kind { case tcpConnect, httpHealthcheck }

    private var bev: OpaquePointer?
    private var timer: LoopEvent?
    private let kind: Kind
    private var completion: ((Bool) -> Void)?
    private var selfReference: HealthProbe?

    /// Starts probing `address`; `completion` runs once with the verdict,
    /// within `timeout` seconds.
    @discardableResult
    public init(base: EventBase, address: SocketAddress, kind: Kind, timeout: Double, completion: @escaping (Bool) -> Void) {
        self.kind = kind
        self.completion = completion
        // Our own socket, close-on-exec: libevent's would leak into every
        // child the supervisor spawns while a probe is in flight.
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_NONBLOCK.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        guard var socketAddress = address.sockaddr(), fd >= 0,
              let bev = bufferevent_socket_new(base.handle, fd, Int32(BEV_OPT_CLOSE_ON_FREE.rawValue)) else {
            if fd >= 0 { Glibc.close(fd) }
            completion(false)
            self.completion = nil
            return
        }
        self.bev = bev
        selfReference = self  // alive until it reports
        let context = Unmanaged.passUnretained(self).toOpaque()
        bufferevent_setcb(bev, HealthProbe.onRead, nil, HealthProbe.onEvent, context)
        timer = LoopEvent.timer(base: base, repeating: false) { [unowned self] in self.finish(false) }
        timer?.add(after: timeout)
        let started = withUnsafeMutablePointer(to: &socketAddress) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                bufferevent_socket_connect(bev, $0, Int32(MemoryLayout<sockaddr_in>.size))
            }
        }
        if started != 0 { finish(false) }
    }

    private func connected() {
        guard let bev else { return }
        guard kind == .httpHealthcheck else { return finish(true) }
        let request = Array("GET /healthcheck HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n".utf8)
        _ = request.withUnsafeBytes { bufferevent_write(bev, $0.baseAddress, $0.count) }
        bufferevent_enable(bev, Int16(EV_READ))
    }

    private func readable() {
        guard let bev else { return }
        let input = bufferevent_get_input(bev)!
        let length = evbuffer_get_length(input)
        guard length >= 12 else { return }
        let pointer = evbuffer_pullup(input, 12)!
        let statusLine = String(decoding: UnsafeRawBufferPointer(start: pointer, count: 12), as: UTF8.self)
        finish(statusLine == "HTTP/1.1 200" || statusLine == "HTTP/1.0 200")
    }

    private func event(_ what: Int16) {
        if what & Int16(BEV_EVENT_CONNECTED) != 0 { connected() } else { finish(false) }
    }

    private func finish(_ healthy: Bool) {
        if let bev { bufferevent_free(bev) }
        bev = nil
        timer?.close()
        timer = nil
        let report = completion
        completion = nil
        report?(healthy)
        selfReference = nil
    }

    deinit {
        assert(bev == nil, "HealthProbe not finished")
    }

    private static let onRead: bufferevent_data_cb = { _, context in
        let probe = Unmanaged<HealthProbe>.fromOpaque(context!).takeUnretainedValue()
        withExtendedLifetime(probe) { probe.readable() }
    }

    private static let onEvent: bufferevent_event_cb = { _, what, context in
        let probe = Unmanaged<HealthProbe>.fromOpaque(context!).takeUnretainedValue()
        withExtendedLifetime(probe) { probe.event(what) }
    }
}
