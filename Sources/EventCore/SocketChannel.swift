import CLibevent
#if canImport(Glibc)
import Glibc
#endif

/// A connected, non-blocking socket on the loop: owns the descriptor, a
/// persistent read event and an output queue, and frees all three once.
/// Every connection type (worker, proxy sides, load generator) is built on
/// one, so this plumbing is written once; the owner, which owns the
/// channel, hears of readiness through `SocketChannelOwner` (held unowned:
/// no closure or retain per connection).
public final class SocketChannel {
    public let fd: Int32
    public private(set) var output: OutputQueue!
    private var readEvent: OpaquePointer?
    public private(set) var isReading = false
    private unowned let owner: SocketChannelOwner

    /// Takes ownership of `fd`; reading starts at once unless `reading` is false.
    public init(base: EventBase, fd: Int32, owner: SocketChannelOwner, reading: Bool = true) {
        self.fd = fd
        self.owner = owner
        let context = Unmanaged.passUnretained(self).toOpaque()
        output = OutputQueue(base: base, fd: fd, context: context, onWritable: SocketChannel.writableTrampoline)
        readEvent = event_new(base.handle, fd, Int16(EV_READ | EV_PERSIST), SocketChannel.readableTrampoline, context)
        if reading { startReading() }
    }

    public var isOpen: Bool { readEvent != nil }

    public func startReading() {
        guard !isReading, let readEvent else { return }
        isReading = true
        event_add(readEvent, nil)
    }

    public func stopReading() {
        guard isReading, let readEvent else { return }
        isReading = false
        event_del(readEvent)
    }

    /// Frees the event and the queue (closing any queued file) and closes
    /// the socket; later calls do nothing.
    public func close() {
        guard let event = readEvent else { return }
        readEvent = nil
        isReading = false
        event_free(event)
        output.close()
        Glibc.close(fd)
    }

    deinit {
        assert(readEvent == nil, "SocketChannel not closed")
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
