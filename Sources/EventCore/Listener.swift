import CLibevent
#if canImport(Glibc)
import Glibc
#endif

/// A listening socket on the loop (libevent's evconnlistener): hands each
/// accepted, non-blocking, close-on-exec descriptor to `onAccept`.
public final class Listener {
    private var raw: OpaquePointer?
    private let onAccept: (Int32, String) -> Void
    /// The port actually bound (useful with port 0).
    public let port: Int
    public let address: SocketAddress

    public init(base: EventBase, address: SocketAddress, backlog: Int32 = 1024, onAccept: @escaping (_ fd: Int32, _ peerHost: String) -> Void) throws(SystemError) {
        let (fd, port) = try Sockets.listen(on: address, backlog: backlog)
        self.port = port
        self.address = SocketAddress(host: address.host, port: port)
        self.onAccept = onAccept
        let flags = UInt32(LEV_OPT_CLOSE_ON_FREE | LEV_OPT_CLOSE_ON_EXEC | LEV_OPT_REUSEABLE)
        // backlog 0: the socket is already listening.
        raw = evconnlistener_new(base.handle, Listener.trampoline, Unmanaged.passUnretained(self).toOpaque(), flags, 0, fd)
        if raw == nil {
            Glibc.close(fd)
            throw SystemError(call: "evconnlistener_new", errno: Glibc.errno)
        }
    }

    /// Stops accepting (new connections wait in the kernel backlog).
    public func pause() {
        if let raw { evconnlistener_disable(raw) }
    }

    public func resume() {
        if let raw { evconnlistener_enable(raw) }
    }

    /// Closes the listening socket.
    public func close() {
        guard let listener = raw else { return }
        raw = nil
        evconnlistener_free(listener)
    }

    deinit {
        assert(raw == nil, "Listener not closed")
    }

    private static let trampoline: evconnlistener_cb = { _, fd, address, _, context in
        let listener = Unmanaged<Listener>.fromOpaque(context!).takeUnretainedValue()
        withExtendedLifetime(listener) { listener.onAccept(fd, Sockets.host(of: address)) }
    }
}
