import EventCore
import XCTest
#if canImport(Glibc)
import Glibc
#endif

/// `InputBuffer.receive(from:)` says what happened in its result, never
/// through a stale errno: bytes, end of stream, would block, buffer full,
/// or the failing errno.
final class InputBufferTests: XCTestCase {
    private var fds: [Int32] = [-1, -1]

    override func setUpWithError() throws {
        XCTAssertEqual(socketpair(AF_UNIX, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_NONBLOCK.rawValue), 0, &fds), 0)
    }

    override func tearDown() {
        for fd in fds where fd >= 0 { close(fd) }
    }

    private func write(_ text: String) {
        XCTAssertEqual(text.withCString { Glibc.write(fds[1], $0, strlen($0)) }, text.utf8.count)
    }

    func testBytesThenWouldBlockThenEndOfStream() {
        let buffer = InputBuffer(capacity: 16, maxCapacity: 16)
        XCTAssertEqual(buffer.receive(from: fds[0]), .wouldBlock)
        write("hello")
        XCTAssertEqual(buffer.receive(from: fds[0]), .bytes(5))
        XCTAssertEqual(String(decoding: buffer.readable, as: UTF8.self), "hello")
        XCTAssertEqual(buffer.receive(from: fds[0]), .wouldBlock)
        close(fds[1])
        fds[1] = -1
        XCTAssertEqual(buffer.receive(from: fds[0]), .endOfStream)
        XCTAssertEqual(buffer.count, 5, "the unread bytes stay")
    }

    func testAFullBufferSaysSoAndReadsAgainOnceBytesAreConsumed() {
        let buffer = InputBuffer(capacity: 4, maxCapacity: 8)
        write("0123456789ab")
        XCTAssertEqual(buffer.receive(from: fds[0]), .bytes(4))
        XCTAssertEqual(buffer.receive(from: fds[0]), .bytes(4), "grows to its maximum")
        XCTAssertTrue(buffer.isFull)
        // A stale EAGAIN must not leak into the answer.
        errno = EAGAIN
        XCTAssertEqual(buffer.receive(from: fds[0]), .bufferFull)
        XCTAssertEqual(buffer.count, 8, "nothing read, nothing lost")
        buffer.consume(6)
        XCTAssertFalse(buffer.isFull)
        XCTAssertEqual(buffer.receive(from: fds[0]), .bytes(4))
        XCTAssertEqual(String(decoding: buffer.readable, as: UTF8.self), "6789ab")
    }

    func testAFailedRecvCarriesItsErrno() {
        let buffer = InputBuffer(capacity: 8, maxCapacity: 8)
        var pipeFds: [Int32] = [-1, -1]
        XCTAssertEqual(pipe(&pipeFds), 0)
        defer { close(pipeFds[0]); close(pipeFds[1]) }
        XCTAssertEqual(buffer.receive(from: pipeFds[0]), .failed(errno: ENOTSOCK))
        XCTAssertEqual(buffer.receive(from: -1), .failed(errno: EBADF))
    }
}
