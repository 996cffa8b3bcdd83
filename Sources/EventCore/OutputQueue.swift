import CLibevent
#if canImport(Glibc)
import Glibc
#endif

/// What a connection still has to send: answers are written straight to
/// the socket when nothing is queued (no event, no extra system call);
/// whatever the kernel does not take waits in an evbuffer (files included,
/// sent with sendfile) behind a write event armed only while it is needed.
public final class OutputQueue {
    // The evbuffer and the event are made on first need: most answers go
    // out whole in one send, and a short connection then costs no allocation.
    private var buffer: OpaquePointer?
    private var writeEvent: OpaquePointer?
    private let fd: Int32
    private let base: EventBase
    private let context: UnsafeMutableRawPointer
    private let onWritable: event_callback_fn
    private var armed = false
    private var closed = false

    /// `onWritable` runs when the socket can take more of the queue.
    public init(base: EventBase, fd: Int32, context: UnsafeMutableRawPointer, onWritable: event_callback_fn) {
        self.fd = fd
        self.base = base
        self.context = context
        self.onWritable = onWritable
    }

    public var pending: Int { buffer.map { evbuffer_get_length($0) } ?? 0 }

    private func queue() -> OpaquePointer? {
        if buffer == nil && !closed {
            buffer = evbuffer_new()
            // Lets libevent send file segments with sendfile instead of mmap.
            if let buffer { evbuffer_set_flags(buffer, UInt64(EVBUFFER_FLAG_DRAINS_TO_FD)) }
        }
        return buffer
    }

    /// Sends `bytes` now if nothing is queued before them; queues the rest.
    /// Returns false if the peer is gone.
    public func send(_ bytes: UnsafeRawBufferPointer) -> Bool {
        guard !closed else { return false }
        var offset = 0
        if pending == 0 {
            while offset < bytes.count {
                let sent = Glibc.send(fd, bytes.baseAddress! + offset, bytes.count - offset, Int32(MSG_NOSIGNAL))
                if sent > 0 { offset += sent; continue }
                if sent < 0 && errno == EINTR { continue }
                if sent < 0 && (errno == EAGAIN || errno == EWOULDBLOCK) { break }
                return false
            }
        }
        if offset < bytes.count, let buffer = queue() {
            evbuffer_add(buffer, bytes.baseAddress! + offset, bytes.count - offset)
            arm()
        }
        return true
    }

    /// Sends a head and a body with one writev when nothing is queued;
    /// queues whatever the kernel does not take. False if the peer is gone.
    public func send(_ head: UnsafeRawBufferPointer, _ body: UnsafeRawBufferPointer) -> Bool {
        guard !closed else { return false }
        guard pending == 0 else { return send(head) && send(body) }
        // On the stack: an array of the two would be an allocation per answer.
        var vectors = (
            iovec(iov_base: UnsafeMutableRawPointer(mutating: head.baseAddress), iov_len: head.count),
            iovec(iov_base: UnsafeMutableRawPointer(mutating: body.baseAddress), iov_len: body.count))
        let fd = self.fd
        var sent = 0
        withUnsafeMutableBytes(of: &vectors) { both in
            let pair = both.baseAddress!.assumingMemoryBound(to: iovec.self)
            while true {
                sent = writev(fd, pair, 2)
                if sent < 0 && errno == EINTR { continue }
                break
            }
        }
        if sent < 0 {
            guard errno == EAGAIN || errno == EWOULDBLOCK else { return false }
            sent = 0
        }
        if sent < head.count {
            return send(UnsafeRawBufferPointer(rebasing: head[sent...])) && send(body)
        }
        return send(UnsafeRawBufferPointer(rebasing: body[(sent - head.count)...]))
    }

    /// Queues a region of a file. True: the queue now owns `descriptor`
    /// (call `flush()`); false: it did not take it.
    public func queueFile(_ descriptor: Int32, offset: Int, length: Int) -> Bool {
        guard let buffer = queue() else { return false }
        return evbuffer_add_file(buffer, descriptor, Int64(offset), Int64(length)) == 0
    }

    /// Writes as much of the queue as the socket takes; false on a dead peer.
    @discardableResult
    public func flush() -> Bool {
        guard !closed else { return false }
        guard let buffer else { return true }
        while evbuffer_get_length(buffer) > 0 {
            let written = evbuffer_write(buffer, fd)
            if written > 0 { continue }
            // libevent reports a sendfile that would block as 0 written.
            if written == 0 || errno == EAGAIN || errno == EWOULDBLOCK { arm(); return true }
            if errno == EINTR { continue }
            return false
        }
        disarm()
        return true
    }

    private func arm() {
        guard !armed, !closed else { return }
        if writeEvent == nil { writeEvent = event_new(base.handle, fd, Int16(EV_WRITE | EV_PERSIST), onWritable, context) }
        guard let writeEvent else { return }
        armed = true
        event_add(writeEvent, nil)
    }

    private func disarm() {
        guard armed, let writeEvent else { return }
        armed = false
        event_del(writeEvent)
    }

    /// Frees the queue (closing any queued files) and the event.
    public func close() {
        closed = true
        if let writeEvent { event_free(writeEvent) }
        writeEvent = nil
        if let buffer { evbuffer_free(buffer) }
        buffer = nil
    }

    deinit {
        assert(closed, "OutputQueue not closed")
    }
}
