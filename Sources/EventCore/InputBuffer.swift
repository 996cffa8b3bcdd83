#if canImport(Glibc)
import Glibc
#endif

/// A connection's receive buffer: one allocation, filled by `recv`, read in
/// place by the parser (no copy, no pullup), compacted when its free tail
/// runs short, grown only while a large head is awaited.
public final class InputBuffer {
    private var storage: UnsafeMutableRawBufferPointer
    private var start = 0
    private var end = 0
    private let maxCapacity: Int

    public init(capacity: Int, maxCapacity: Int) {
        storage = UnsafeMutableRawBufferPointer.allocate(byteCount: capacity, alignment: 16)
        self.maxCapacity = max(capacity, maxCapacity)
    }

    deinit { storage.deallocate() }

    public var count: Int { end - start }
    public var isEmpty: Bool { start == end }

    /// The unread bytes, valid until the next `fill`, `consume` or `clear`.
    public var readable: UnsafeRawBufferPointer {
        UnsafeRawBufferPointer(rebasing: storage[start..<end])
    }

    /// Whether the unread bytes fill the buffer at its largest: no
    /// `receive` can add any until some are consumed.
    public var isFull: Bool { end - start >= maxCapacity }

    public func consume(_ bytes: Int) {
        start += bytes
        if start == end { start = 0; end = 0 }
    }

    public func clear() { start = 0; end = 0 }

    /// Reads once from `fd` into the free tail (retrying EINTR).
    public func receive(from fd: Int32) -> ReceiveResult {
        makeRoom()
        let free = storage.count - end
        guard free > 0 else { return .bufferFull }
        while true {
            let received = recv(fd, storage.baseAddress! + end, free, 0)
            if received > 0 {
                end += received
                return .bytes(received)
            }
            if received == 0 { return .endOfStream }
            switch errno {
            case EINTR: continue
            case EAGAIN, EWOULDBLOCK: return .wouldBlock
            case let code: return .failed(errno: code)
            }
        }
    }

    /// Compacts when the tail is short, or doubles (up to the maximum) when
    /// the unread bytes fill the whole buffer.
    private func makeRoom() {
        if start > 0 && (storage.count - end < storage.count / 4) {
            let unread = end - start
            if unread > 0 { memmove(storage.baseAddress!, storage.baseAddress! + start, unread) }
            start = 0
            end = unread
        }
        if start == 0 && end == storage.count && storage.count < maxCapacity {
            let larger = UnsafeMutableRawBufferPointer.allocate(byteCount: min(storage.count * 2, maxCapacity), alignment: 16)
            larger.copyMemory(from: UnsafeRawBufferPointer(rebasing: storage[0..<end]))
            storage.deallocate()
            storage = larger
        }
    }
}
