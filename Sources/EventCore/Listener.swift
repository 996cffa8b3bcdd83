import CLibevent
import Logging
#if canImport(Glibc)
import Glibc
#endif

/// A listening socket on the loop (libevent's evconnlistener): hands each
/// accepted, non-blocking, close-on-exec descriptor to `onAccept`. When
/// accept fails for a reason that persists (EMFILE, ENFILE, ENOBUFS), the
/// level-triggered socket would fire forever: the listener stops accepting
/// for `backoff` seconds at a time and logs once per episode (as nginx does).
public final class Listener {
    /// Why the listener is not accepting; empty while it is.
    private struct Pauses: OptionSet {
        let rawValue: UInt8
        /// The owner asked (a connection cap reached).
        static let byOwner = Pauses(rawValue: 1)
        /// Accept failed; waiting for descriptors or memory to free up.
        static let backingOff = Pauses(rawValue: 2)
        /// A shared socket: one accept, then the rest of the loop's turn.
        static let yielding = Pauses(rawValue: 4)
    }

    private var raw: OpaquePointer?
    private let onAccept: (Int32, String) -> Void
    private let logger: Logger
    private let backoff: Double
    private var pauses: Pauses = []
    private var backoffTimer: LoopEvent?
    /// Ends a yield on the loop's next turn (shared sockets only).
    private var yieldTimer: LoopEvent?
    /// Accepts failed since the last one that succeeded (0: all is well).
    private var failuresInEpisode = 0
    /// The port actually bound (useful with port 0).
    public let port: Int
    public let address: SocketAddress

    public convenience init(
        base: EventBase, address: SocketAddress, backlog: Int32 = 1024, backoff: Double = 0.2,
        logger: Logger = Logger(label: "listener"),
        onAccept: @escaping (_ fd: Int32, _ peerHost: String) -> Void
    ) throws(SystemError) {
        let (fd, _) = try Sockets.listen(on: address, backlog: backlog)
        try self.init(base: base, listeningFD: fd, host: address.host, shared: false, backoff: backoff, logger: logger, onAccept: onAccept)
    }

    /// Accepts on a socket that is already listening and non-blocking, such
    /// as one inherited from the supervisor and shared with other processes
    /// (`--listen-fd`). The listener owns this descriptor (closed by
    /// `close()`); closing it leaves the socket open in the other holders,
    /// so connections queued on it are accepted by them, not lost.
    ///
    /// `shared`: other processes accept on it too. libevent accepts until
    /// the queue is empty, so the first process woken would take a whole
    /// burst of connections (measured: all 10 of a client's to one of two
    /// balancers); a shared listener accepts one connection per turn of
    /// the loop instead, leaving the next to whichever process is ready.
    public init(
        base: EventBase, listeningFD fd: Int32, host: String, shared: Bool = true, backoff: Double = 0.2,
        logger: Logger = Logger(label: "listener"),
        onAccept: @escaping (_ fd: Int32, _ peerHost: String) -> Void
    ) throws(SystemError) {
        let port: Int
        do {
            try Sockets.requireListening(fd)
            port = try Sockets.boundPort(fd)
        } catch {
            Glibc.close(fd)
            throw error
        }
        self.port = port
        self.address = SocketAddress(host: host, port: port)
        self.onAccept = onAccept
        self.logger = logger
        self.backoff = backoff
        let flags = UInt32(LEV_OPT_CLOSE_ON_FREE | LEV_OPT_CLOSE_ON_EXEC | LEV_OPT_REUSEABLE)
        // backlog 0: the socket is already listening.
        raw = evconnlistener_new(base.handle, Listener.trampoline, Unmanaged.passUnretained(self).toOpaque(), flags, 0, fd)
        if raw == nil {
            Glibc.close(fd)
            throw SystemError(call: "evconnlistener_new", errno: Glibc.errno)
        }
        evconnlistener_set_error_cb(raw, Listener.errorTrampoline)
        backoffTimer = LoopEvent.timer(base: base, repeating: false) { [unowned self] in self.backoffEnded() }
        if shared { yieldTimer = LoopEvent.timer(base: base, repeating: false) { [unowned self] in self.yieldEnded() } }
    }

    /// Whether accepting is paused for lack of descriptors (or memory).
    public var isBackingOff: Bool { pauses.contains(.backingOff) }

    /// Stops accepting (new connections wait in the kernel backlog).
    public func pause() {
        pauses.insert(.byOwner)
        applyPauses()
    }

    public func resume() {
        pauses.remove(.byOwner)
        applyPauses()
    }

    /// Closes the listening socket.
    public func close() {
        backoffTimer?.close()
        backoffTimer = nil
        yieldTimer?.close()
        yieldTimer = nil
        guard let listener = raw else { return }
        raw = nil
        evconnlistener_free(listener)
    }

    deinit {
        assert(raw == nil, "Listener not closed")
    }

    private func applyPauses() {
        guard let raw else { return }
        if pauses.isEmpty { evconnlistener_enable(raw) } else { evconnlistener_disable(raw) }
    }

    private func accepted(_ fd: Int32, peer: String) {
        if failuresInEpisode > 0 {
            logger.info("accepting again on \(address) after \(failuresInEpisode) failed accepts")
            failuresInEpisode = 0
        }
        if let yieldTimer {
            // Disabled in its callback, libevent's accept loop stops here.
            pauses.insert(.yielding)
            applyPauses()
            yieldTimer.add(after: 0)
        }
        onAccept(fd, peer)
    }

    private func yieldEnded() {
        pauses.remove(.yielding)
        applyPauses()
    }

    private func acceptFailed(errno code: Int32) {
        failuresInEpisode += 1
        if failuresInEpisode == 1 {
            logger.warning("\(SystemError(call: "accept on \(address)", errno: code)); pausing accepts \(Int(backoff * 1000)) ms at a time until one succeeds")
        }
        pauses.insert(.backingOff)
        applyPauses()
        backoffTimer?.add(after: backoff)
    }

    private func backoffEnded() {
        pauses.remove(.backingOff)
        applyPauses()
    }

    private static let trampoline: evconnlistener_cb = { _, fd, address, _, context in
        let listener = Unmanaged<Listener>.fromOpaque(context!).takeUnretainedValue()
        withExtendedLifetime(listener) { listener.accepted(fd, peer: Sockets.host(of: address)) }
    }

    // libevent calls this with errno still set by the failed accept (it has
    // already skipped the retriable EINTR, EAGAIN and ECONNABORTED).
    private static let errorTrampoline: evconnlistener_errorcb = { _, context in
        let code = Glibc.errno
        let listener = Unmanaged<Listener>.fromOpaque(context!).takeUnretainedValue()
        withExtendedLifetime(listener) { listener.acceptFailed(errno: code) }
    }
}
