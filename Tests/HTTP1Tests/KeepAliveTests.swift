import XCTest
@testable import HTTP1

/// Whether a connection may carry another message: HTTP/1.1 by default,
/// HTTP/1.0 only when asked, never after `Connection: close`.
final class KeepAliveTests: XCTestCase {
    private func keepAlive(_ version: String, _ fields: String) -> Bool? {
        requestHead("GET / \(version)\r\nHost: h\r\n\(fields)\r\n")?.keepAlive
    }

    func testHTTP11KeepsAliveByDefault() {
        XCTAssertEqual(keepAlive("HTTP/1.1", ""), true)
        XCTAssertEqual(keepAlive("HTTP/1.1", "Connection: keep-alive\r\n"), true)
        XCTAssertEqual(keepAlive("HTTP/1.1", "Connection: upgrade\r\n"), true)
    }

    func testHTTP11CloseEndsTheConnection() {
        XCTAssertEqual(keepAlive("HTTP/1.1", "Connection: close\r\n"), false)
        XCTAssertEqual(keepAlive("HTTP/1.1", "Connection: Close\r\n"), false)
        XCTAssertEqual(keepAlive("HTTP/1.1", "connection: keep-alive, close\r\n"), false)
        XCTAssertEqual(keepAlive("HTTP/1.1", "Connection: upgrade\r\nConnection: close\r\n"), false)
        XCTAssertEqual(keepAlive("HTTP/1.1", "Connection: closed\r\n"), true)
    }

    func testHTTP10ClosesByDefault() {
        XCTAssertEqual(keepAlive("HTTP/1.0", ""), false)
        XCTAssertEqual(keepAlive("HTTP/1.0", "Connection: upgrade\r\n"), false)
    }

    func testHTTP10KeepAliveOnRequest() {
        XCTAssertEqual(keepAlive("HTTP/1.0", "Connection: keep-alive\r\n"), true)
        XCTAssertEqual(keepAlive("HTTP/1.0", "Connection: Keep-Alive\r\n"), true)
        XCTAssertEqual(keepAlive("HTTP/1.0", "Connection: foo,  keep-alive \r\n"), true)
        XCTAssertEqual(keepAlive("HTTP/1.0", "Connection: keep-alive, close\r\n"), false)
        XCTAssertEqual(keepAlive("HTTP/1.0", "Connection: keep-alive\r\nConnection: close\r\n"), false)
    }

    private func responseKeepAlive(_ text: String) -> Bool? {
        guard case .head(let head)? = ParserDriver.responses(bytes(text)).first else { return nil }
        return head.keepAlive
    }

    func testResponseKeepAlive() {
        XCTAssertEqual(responseKeepAlive("HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n"), true)
        XCTAssertEqual(responseKeepAlive("HTTP/1.1 200 OK\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"), false)
        XCTAssertEqual(responseKeepAlive("HTTP/1.0 200 OK\r\nContent-Length: 0\r\n\r\n"), false)
        XCTAssertEqual(responseKeepAlive("HTTP/1.0 200 OK\r\nContent-Length: 0\r\nConnection: keep-alive\r\n\r\n"), true)
        XCTAssertEqual(responseKeepAlive("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n"), true)
    }

    func testABodyUntilCloseNeverKeepsAlive() {
        XCTAssertEqual(responseKeepAlive("HTTP/1.1 200 OK\r\n\r\n"), false)
        XCTAssertEqual(responseKeepAlive("HTTP/1.0 200 OK\r\nConnection: keep-alive\r\n\r\n"), false)
    }

    func testParserIsReusedAcrossKeptAliveRequests() {
        var parser = RequestParser()
        for index in 0..<3 {
            XCTAssertTrue(parser.isIdle)
            let input = bytes("PUT /\(index) HTTP/1.1\r\nHost: h\r\nContent-Length: 1\r\n\r\nx")
            input.withUnsafeBytes { buffer in
                var offset = 0
                var (event, consumed) = parser.next(buffer)
                guard case .head(let head) = event else { return XCTFail("\(event)") }
                XCTAssertEqual(head.target, "/\(index)")
                XCTAssertFalse(parser.isIdle)
                offset += consumed
                (event, consumed) = parser.next(UnsafeRawBufferPointer(rebasing: buffer[offset...]))
                guard case .body(let data) = event else { return XCTFail("\(event)") }
                XCTAssertEqual(Array(data), [UInt8(ascii: "x")])
                offset += consumed
                (event, consumed) = parser.next(UnsafeRawBufferPointer(rebasing: buffer[offset...]))
                guard case .end = event else { return XCTFail("\(event)") }
                offset += consumed
                XCTAssertEqual(offset, buffer.count)
            }
        }
        XCTAssertTrue(parser.isIdle)
        XCTAssertNil(parser.finish())
    }
}
