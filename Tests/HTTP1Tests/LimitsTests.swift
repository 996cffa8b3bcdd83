import XCTest
@testable import HTTP1

/// Every bound in `HTTPLimits`, at the limit and one past it.
final class LimitsTests: XCTestCase {
    /// A request line of exactly `length` bytes, CRLF not counted.
    private func requestLine(length: Int) -> String {
        let fixed = "GET / HTTP/1.1".utf8.count
        return "GET /" + String(repeating: "a", count: length - fixed) + " HTTP/1.1"
    }

    func testDefaults() {
        let limits = HTTPLimits.default
        XCTAssertEqual(limits.maxRequestLine, 8 * 1024)
        XCTAssertEqual(limits.maxHeadBytes, 32 * 1024)
        XCTAssertEqual(limits.maxHeaderCount, 100)
        XCTAssertEqual(limits.maxBodyBytes, Int.max)
        XCTAssertEqual(limits.maxChunkLine, 4 * 1024)
    }

    func testRequestLineAtTheLimitIsAccepted() {
        let limits = HTTPLimits(maxRequestLine: 64)
        let line = requestLine(length: 64)
        XCTAssertEqual(line.utf8.count, 64)
        XCTAssertNotNil(requestHead(line + "\r\nHost: h\r\n\r\n", limits: limits))
    }

    func testRequestLineOverTheLimitIs414() {
        let limits = HTTPLimits(maxRequestLine: 64)
        assertRequestFails(requestLine(length: 65) + "\r\nHost: h\r\n\r\n", .requestLineTooLong, status: 414,
                           limits: limits)
        // Known before the line ends, so a client cannot make us buffer it.
        assertRequestFails(requestLine(length: 100), .requestLineTooLong, status: 414, limits: limits)
    }

    func testDefaultRequestLineLimit() {
        XCTAssertNotNil(requestHead(requestLine(length: 8192) + "\r\nHost: h\r\n\r\n"))
        assertRequestFails(requestLine(length: 8193) + "\r\nHost: h\r\n\r\n", .requestLineTooLong, status: 414)
    }

    func testHeadAtTheLimitIsAccepted() {
        let prefix = "GET / HTTP/1.1\r\nHost: h\r\nX: "
        let head = prefix + String(repeating: "v", count: 200 - prefix.utf8.count - 4) + "\r\n\r\n"
        XCTAssertEqual(head.utf8.count, 200)
        XCTAssertNotNil(requestHead(head, limits: HTTPLimits(maxHeadBytes: 200)))
    }

    func testHeadOverTheLimitIs431() {
        let prefix = "GET / HTTP/1.1\r\nHost: h\r\nX: "
        let head = prefix + String(repeating: "v", count: 201 - prefix.utf8.count - 4) + "\r\n\r\n"
        assertRequestFails(head, .headTooLarge, status: 431, limits: HTTPLimits(maxHeadBytes: 200))
        // An unfinished head is refused as soon as it passes the limit.
        let endless = prefix + String(repeating: "v", count: 300)
        assertRequestFails(endless, .headTooLarge, status: 431, limits: HTTPLimits(maxHeadBytes: 200))
        let manyLines = "GET / HTTP/1.1\r\n" + String(repeating: "X: y\r\n", count: 100)
        assertRequestFails(manyLines, .headTooLarge, status: 431, limits: HTTPLimits(maxHeadBytes: 200))
    }

    func testDefaultHeadLimit() {
        let big = "GET / HTTP/1.1\r\nHost: h\r\n" + String(repeating: "X-Filler: " + String(repeating: "f", count: 90) + "\r\n",
                                                        count: 400) + "\r\n"
        assertRequestFails(big, .headTooLarge, status: 431)
    }

    func testHeaderCountAtAndOverTheLimit() {
        let limits = HTTPLimits(maxHeaderCount: 5)
        let five = "GET / HTTP/1.1\r\nHost: h\r\n" + String(repeating: "X: y\r\n", count: 4) + "\r\n"
        XCTAssertEqual(requestHead(five, limits: limits)?.headers.count, 5)
        let six = "GET / HTTP/1.1\r\nHost: h\r\n" + String(repeating: "X: y\r\n", count: 5) + "\r\n"
        assertRequestFails(six, .tooManyHeaders, status: 431, limits: limits)
    }

    func testDefaultHeaderCount() {
        let many = "GET / HTTP/1.1\r\nHost: h\r\n" + String(repeating: "X: y\r\n", count: 100) + "\r\n"
        assertRequestFails(many, .tooManyHeaders, status: 431)
    }

    func testContentLengthOverTheBodyLimitIs413AtTheHead() {
        let limits = HTTPLimits(maxBodyBytes: 10)
        XCTAssertEqual(requestHead(getHead + "Content-Length: 10\r\n\r\n", limits: limits)?.framing, .length(10))
        // No head event: the server answers 413 before reading a byte of body.
        let events = ParserDriver.requests(bytes(getHead + "Content-Length: 11\r\n\r\n"), limits: limits)
        XCTAssertEqual(events, [.error(.bodyTooLarge)])
        XCTAssertEqual(HTTPParseError.bodyTooLarge.status, 413)
    }

    /// `Int.max` means "no limit" and must not overflow anywhere.
    func testUnboundedLimits() {
        let limits = HTTPLimits(maxRequestLine: .max, maxHeadBytes: .max, maxHeaderCount: .max, maxBodyBytes: .max,
                                maxChunkLine: .max)
        let text = "POST / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\n3;x=y\r\nabc\r\n0\r\nT: v\r\n\r\n"
        let events = assertRequestsIncremental(bytes(text), limits: limits)
        XCTAssertEqual(events.dropFirst(), [.body(bytes("abc")), .end])
        let response = "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n0\r\nT: v\r\n\r\n"
        XCTAssertEqual(assertResponsesIncremental(bytes(response), limits: limits).dropFirst(), [.body(bytes("abc")), .end])
    }

    func testResponseLimits() {
        let long = "HTTP/1.1 200 " + String(repeating: "r", count: 100)
        XCTAssertEqual(ParserDriver.responses(bytes(long), limits: HTTPLimits(maxRequestLine: 64)), [.error(.badStatusLine)])
        let fields = "HTTP/1.1 200 OK\r\n" + String(repeating: "X: y\r\n", count: 3) + "\r\n"
        XCTAssertEqual(ParserDriver.responses(bytes(fields), limits: HTTPLimits(maxHeaderCount: 2)),
                       [.error(.tooManyHeaders)])
        XCTAssertEqual(ParserDriver.responses(bytes(fields), limits: HTTPLimits(maxHeadBytes: 30)),
                       [.error(.headTooLarge)])
    }
}
