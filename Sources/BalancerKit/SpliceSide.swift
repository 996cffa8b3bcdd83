import CLibevent
import EventCore
#if canImport(Glibc)
import Glibc
#endif

/// One socket of a proxied pair: owns the descriptor, its read event and its
/// output queue; reports readiness to the pair that owns it.
final class SpliceSide {
    let fd: Int32
    private var readEvent: OpaquePointer?
    private(set) var output: OutputQueue!
    unowned let pair: TCPSplice
    /// The peer sent EOF: nothing more will be read from this side.
    var readClosed = false
    /// We shut this side's write half after relaying the peer's EOF.
    var writeShut = false
    private(set) var reading = false

    init(fd: Int32, base: EventBase, pair: TCPSplice) {
        self.fd = fd
        self.pair = pair
        let context = Unmanaged.passUnretained(self).toOpaque()
        output = OutputQueue(base: base, fd: fd, context: context, onWritable: SpliceSide.onWritable)
        readEvent = event_new(base.handle, fd, Int16(EV_READ | EV_PERSIST), SpliceSide.onReadable, context)
    }

    func startReading() {
        guard !reading, !readClosed, let readEvent else { return }
        reading = true
        event_add(readEvent, nil)
    }

    func stopReading() {
        guard reading, let readEvent else { return }
        reading = false
        event_del(readEvent)
    }

    /// Frees the event and the queue and closes the socket, once.
    func close() {
        guard let event = readEvent else { return }
        readEvent = nil
        event_free(event)
        output.close()
        Glibc.close(fd)
    }

    deinit {
        assert(readEvent == nil, "SpliceSide not closed")
    }

    private static let onReadable: event_callback_fn = { _, _, context in
        let side = Unmanaged<SpliceSide>.fromOpaque(context!).takeUnretainedValue()
        withExtendedLifetime(side.pair) { side.pair.readable(side) }
    }

    private static let onWritable: event_callback_fn = { _, _, context in
        let side = Unmanaged<SpliceSide>.fromOpaque(context!).takeUnretainedValue()
        withExtendedLifetime(side.pair) { side.pair.writable(side) }
    }
}
