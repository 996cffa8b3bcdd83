@testable import EventCore
import Foundation
import XCTest
#if canImport(Glibc)
import Glibc
#endif

/// The loop primitives: timers fire, signals arrive as loop events, the
/// date line is cached per second, the input buffer keeps unread bytes.
final class EventLoopTests: XCTestCase {
    func testTimerFiresAndStopsTheLoop() throws {
        let base = try EventBase()
        var fired = 0
        let timer = LoopEvent.timer(base: base, repeating: true) {
            fired += 1
            if fired == 3 { base.stop() }
        }
        timer.add(after: 0.01)
        let started = Date()
        base.run()
        XCTAssertEqual(fired, 3)
        XCTAssertLessThan(Date().timeIntervalSince(started), 2)
        timer.close()
        base.close()
    }

    func testSignalBecomesALoopEvent() throws {
        let base = try EventBase()
        var received = false
        let signal = LoopEvent.signal(base: base, SIGUSR1) {
            received = true
            base.stop()
        }
        let raiser = LoopEvent.timer(base: base, repeating: false) { kill(getpid(), SIGUSR1) }
        raiser.add(after: 0.01)
        base.run()
        XCTAssertTrue(received)
        signal.close()
        raiser.close()
        base.close()
    }

    func testInputBufferKeepsUnreadBytesAcrossReads() throws {
        var fds: [Int32] = [0, 0]
        XCTAssertEqual(socketpair(AF_UNIX, Int32(SOCK_STREAM.rawValue), 0, &fds), 0)
        defer { close(fds[0]); close(fds[1]) }
        let buffer = InputBuffer(capacity: 8, maxCapacity: 32)
        _ = "abcdefgh".withCString { write(fds[1], $0, 8) }
        XCTAssertEqual(buffer.receive(from: fds[0]), .bytes(8))
        buffer.consume(6)
        _ = "ijklmnop".withCString { write(fds[1], $0, 8) }
        guard case .bytes = buffer.receive(from: fds[0]) else { return XCTFail("the new bytes are read") }
        XCTAssertEqual(String(decoding: buffer.readable, as: UTF8.self).prefix(2), "gh")
        while buffer.count < 10 { _ = buffer.receive(from: fds[0]) }
        XCTAssertEqual(String(decoding: buffer.readable, as: UTF8.self), "ghijklmnop")
    }

    func testSocketAddressParsing() {
        XCTAssertEqual(SocketAddress("127.0.0.1:8001"), SocketAddress(host: "127.0.0.1", port: 8001))
        XCTAssertEqual(SocketAddress("localhost:80")?.host, "127.0.0.1")
        XCTAssertNil(SocketAddress("127.0.0.1"))
        XCTAssertNil(SocketAddress("example:80"))
        XCTAssertNil(SocketAddress("127.0.0.1:99999"))
    }
}
