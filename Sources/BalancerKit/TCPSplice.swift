import EventCore
#if canImport(Glibc)
import Glibc
#endif

/// tcp mode's client/backend pair (libevent's le-proxy, on our own I/O):
/// bytes read on one side are sent straight to the other; when the other's
/// queue passes the high watermark, reading pauses until it drains to half;
/// an EOF is passed on as a half-close once what precedes it is flushed;
/// the pair closes when both directions are done.
final class TCPSplice {
    static let highWater = 512 * 1024

    private unowned let owner: TCPBalancer
    private(set) var client: SpliceSide!
    private(set) var server: SpliceSide?
    private(set) var backend: SocketAddress?
    private(set) var lastActivity: Double
    private var closed = false

    init(owner: TCPBalancer, clientFD: Int32, now: Double) {
        self.owner = owner
        lastActivity = now
        client = SpliceSide(fd: clientFD, base: owner.base, pair: self)
    }

    var isClosed: Bool { closed }

    /// The backend answered the connect: relay both ways from now on.
    func connected(serverFD: Int32, backend: SocketAddress) {
        guard !closed else { Glibc.close(serverFD); return }
        self.backend = backend
        let side = SpliceSide(fd: serverFD, base: owner.base, pair: self)
        server = side
        side.startReading()
        client.startReading()
    }

    func readable(_ side: SpliceSide) {
        guard !closed, let peer = peer(of: side) else { return }
        lastActivity = owner.base.cachedNow
        let scratch = owner.scratch
        let received = recv(side.fd, scratch.baseAddress, scratch.count, 0)
        if received > 0 {
            guard peer.output.send(UnsafeRawBufferPointer(rebasing: scratch[0..<received])) else { return close() }
            if peer.output.pending > Self.highWater { side.stopReading() }
            return
        }
        if received < 0 && (errno == EAGAIN || errno == EINTR) { return }
        if received < 0 {
            if side === server, let backend { owner.backendFailed(backend) }
            return close()
        }
        side.readClosed = true
        side.stopReading()
        passOnEOF(to: peer)
    }

    func writable(_ side: SpliceSide) {
        guard !closed else { return }
        lastActivity = owner.base.cachedNow
        guard side.output.flush() else { return close() }
        if let peer = peer(of: side), side.output.pending <= Self.highWater / 2 { peer.startReading() }
        if side.output.pending == 0, let peer = peer(of: side), peer.readClosed { passOnEOF(to: side) }
    }

    /// Half-closes `side` once its queue is empty; closes the pair when both
    /// directions have ended.
    private func passOnEOF(to side: SpliceSide) {
        // Both peers sent EOF and everything is delivered: close() sends the
        // FINs, a shutdown first would only cost a system call.
        if let server, client.readClosed, server.readClosed, client.output.pending == 0, server.output.pending == 0 {
            return close()
        }
        if side.output.pending == 0 && !side.writeShut {
            side.writeShut = true
            shutdown(side.fd, Int32(SHUT_WR))
        }
        if let server, client.readClosed, server.readClosed, client.writeShut, server.writeShut { close() }
    }

    private func peer(of side: SpliceSide) -> SpliceSide? {
        side === client ? server : client
    }

    func close() {
        guard !closed else { return }
        closed = true
        client.close()
        server?.close()
        owner.spliceClosed(self)
    }
}
