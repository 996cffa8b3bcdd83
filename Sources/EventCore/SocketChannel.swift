import CLibevent
#if canImport(Glibc)
import Glibc
#endif

/// A connected, non-blocking socket on the loop: owns the descriptor, a
/// persistent read event (made on first need) and an output queue, and
/// frees all three once.
/// Every connection type (worker, proxy sides, load generator) is built on
/// one, so this plumbing is written once; the owner, which owns the
/// channel, hears of readiness through `SocketChannelOwner` (held unowned:
/// no closure or retain per connection).
public final class SocketChannel {
    public let fd: Int32
    public private(set) var output: OutputQueue!
    private unowned let owner: SocketChannelOwner
    private let base: EventBase
    private var state = ReadState.idle(nil)

    /// The read event is made when reading first starts: a connection
    /// answered and closed right after accept never needs one.
    private enum ReadState {
        case idle(OpaquePointer?)
        case reading(OpaquePointer)
        case closed
    }

    /// Takes ownership of `fd`; reading starts at once unless `reading` is false.
    public init(base: EventBase, fd: Int32, owner: SocketChannelOwner, reading: Bool = true) {
        self.fd = fd
        self.owner = owner
        self.base = base
        let context = Unmanaged.passUnretained(self).toOpaque()
        output = OutputQueue(base: base, fd: fd, context: context, onWritable: SocketChannel.writableTrampoline)
        if reading { startReading() }
    }

    public var isOpen: Bool {
        if case .closed = state { return false }
        return true
    }

    public var isReading: Bool {
        if case .reading = state { return true }
        return false
    }

    public func startReading() {
        guard case .idle(let made) = state else { return }
        let context = Unmanaged.passUnretained(self).toOpaque()
        guard let event = made ?? event_new(base.handle, fd, Int16(EV_READ | EV_PERSIST), SocketChannel.readableTrampoline, context) else {
            close()  // out of memory: a socket we cannot read is not open
            return
        }
        state = .reading(event)
        event_add(event, nil)
    }

    public func stopReading() {
        guard case .reading(let event) = state else { return }
        state = .idle(event)
        event_del(event)
    }

    /// Frees the event and the queue (closing any queued file) and closes
    /// the socket; later calls do nothing.
    public func close() {
        let event: OpaquePointer?
        switch state {
        case .closed: return
        case .idle(let made): event = made
        case .reading(let reading): event = reading
        }
        state = .closed
        if let event { event_free(event) }
        output.close()
        Glibc.close(fd)
    }

    deinit {
        assert(!isOpen, "SocketChannel not closed")
    }

    private static let readableTrampoline: event_callback_fn = { _, _, context in
        let channel = Unmanaged<SocketChannel>.fromOpaque(context!).takeUnretainedValue()
        let owner = channel.owner  // kept alive through the call, which may close it
        withExtendedLifetime(owner) { owner.channelReadable() }
    }

    private static let writableTrampoline: event_callback_fn = { _, _, context in
        let channel = Unmanaged<SocketChannel>.fromOpaque(context!).takeUnretainedValue()
        let owner = channel.owner
        withExtendedLifetime(owner) { owner.channelWritable() }
    }
}
