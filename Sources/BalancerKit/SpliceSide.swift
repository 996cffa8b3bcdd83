import EventCore
#if canImport(Glibc)
import Glibc
#endif

/// One socket of a proxied pair, on a `SocketChannel`: reports readiness to
/// the pair that owns it, keeping the pair alive through each callback.
final class SpliceSide {
    private var channel: SocketChannel!
    unowned let pair: TCPSplice
    /// The peer sent EOF: nothing more will be read from this side.
    var readClosed = false
    /// We shut this side's write half after relaying the peer's EOF.
    var writeShut = false

    init(fd: Int32, base: EventBase, pair: TCPSplice) {
        self.pair = pair
        channel = SocketChannel(base: base, fd: fd, owner: self, reading: false)
    }

    var fd: Int32 { channel.fd }
    var output: OutputQueue { channel.output }
    var reading: Bool { channel.isReading }

    func startReading() {
        guard !readClosed else { return }
        channel.startReading()
    }

    func stopReading() {
        channel.stopReading()
    }

    /// Frees the event and the queue and closes the socket, once.
    func close() {
        channel.close()
    }

    deinit {
        assert(!channel.isOpen, "SpliceSide not closed")
    }
}

extension SpliceSide: SocketChannelOwner {
    /// The pair is kept alive through the call: it may close itself.
    func channelReadable() { withExtendedLifetime(pair) { pair.readable(self) } }
    func channelWritable() { withExtendedLifetime(pair) { pair.writable(self) } }
}
