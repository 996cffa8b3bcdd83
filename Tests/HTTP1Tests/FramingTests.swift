import XCTest
@testable import HTTP1

/// Request framing, and the smuggling corpus: every way two parsers could
/// disagree on where a body ends is refused.
final class FramingTests: XCTestCase {
    func testContentLengthBody() {
        let events = ParserDriver.requests(bytes(getHead + "Content-Length: 5\r\n\r\nhello"))
        XCTAssertEqual(events.count, 3)
        guard case .head(let head) = events[0] else { return XCTFail("\(events)") }
        XCTAssertEqual(head.framing, .length(5))
        XCTAssertEqual(events[1], .body(bytes("hello")))
        XCTAssertEqual(events[2], .end)
    }

    func testZeroContentLengthHasNoBody() {
        let events = ParserDriver.requests(bytes(getHead + "Content-Length: 0\r\n\r\n"))
        guard case .head(let head) = events.first else { return XCTFail("\(events)") }
        XCTAssertEqual(head.framing, BodyFraming.none)
        XCTAssertEqual(events.count, 2)
        XCTAssertEqual(events.last, .end)
    }

    func testNoFramingHeadersMeansNoBody() {
        // The bytes after the head are the next request, not a body.
        let events = ParserDriver.requests(bytes(getHead + "\r\nhello"))
        XCTAssertEqual(events.count, 2)
        XCTAssertEqual(events.last, .end)
    }

    func testContentLengthWithLeadingZerosAndOWS() {
        XCTAssertEqual(requestHead(getHead + "Content-Length: \t007 \r\n\r\n")?.framing, .length(7))
    }

    func testLargestEighteenDigitLengthIsAccepted() {
        XCTAssertEqual(requestHead(getHead + "Content-Length: 999999999999999999\r\n\r\n")?.framing,
                       .length(999_999_999_999_999_999))
    }

    func testContentLengthWithTransferEncodingIs400() {
        assertRequestFails(getHead + "Content-Length: 5\r\nTransfer-Encoding: chunked\r\n\r\n",
                           .contentLengthWithTransferEncoding, status: 400)
        assertRequestFails(getHead + "Transfer-Encoding: chunked\r\nContent-Length: 5\r\n\r\n",
                           .contentLengthWithTransferEncoding, status: 400)
        assertRequestFails(getHead + "Transfer-Encoding: chunked\r\nContent-Length: 0\r\n\r\n",
                           .contentLengthWithTransferEncoding, status: 400)
        assertRequestFails(getHead + "Transfer-Encoding: gzip\r\nContent-Length: 5\r\n\r\n",
                           .contentLengthWithTransferEncoding, status: 400)
    }

    func testTwoContentLengthsAre400() {
        assertRequestFails(getHead + "Content-Length: 5\r\nContent-Length: 5\r\n\r\nhello",
                           .duplicateContentLength, status: 400)
        assertRequestFails(getHead + "Content-Length: 5\r\nContent-Length: 6\r\n\r\nhello!",
                           .duplicateContentLength, status: 400)
        assertRequestFails(getHead + "Content-Length: 5\r\ncontent-length: 5\r\n\r\nhello",
                           .duplicateContentLength, status: 400)
    }

    func testContentLengthListIs400() {
        for value in ["5, 5", "5,5", "5, 6", "5,", ",5"] {
            assertRequestFails(getHead + "Content-Length: \(value)\r\n\r\nhello", .duplicateContentLength, status: 400)
        }
    }

    func testMalformedContentLengthIs400() {
        let bad = [
            "-5", "+5", "", "5 5", "0x5", "5.0", "five", "5;", "\u{FF15}",
            "1000000000000000000",     // 19 digits
            "9223372036854775807",     // Int.max, 19 digits
            "99999999999999999999",    // 20 digits, overflows
            "18446744073709551621",    // 2^64 + 5: wraps to 5 if unchecked
        ]
        for value in bad {
            assertRequestFails(getHead + "Content-Length: \(value)\r\n\r\nhello", .badContentLength, status: 400)
        }
    }

    func testChunkedIsTheOnlyRequestCoding() {
        XCTAssertEqual(requestHead(getHead + "Transfer-Encoding: chunked\r\n\r\n")?.framing, .chunked)
        XCTAssertEqual(requestHead(getHead + "Transfer-Encoding: Chunked\r\n\r\n")?.framing, .chunked)
        XCTAssertEqual(requestHead(getHead + "Transfer-Encoding:\t chunked \r\n\r\n")?.framing, .chunked)
    }

    func testTransferEncodingNotEndingInChunkedIs400() {
        let bad = [
            "xchunked", "chunkedx", "chunked, identity", "identity", "gzip", "chunked,", "chunked;q=1",
            "\"chunked\"", "ch unked", "",
        ]
        for value in bad {
            assertRequestFails(getHead + "Transfer-Encoding: \(value)\r\n\r\n0\r\n\r\n", .badTransferEncoding, status: 400)
        }
    }

    func testMalformedCodingListsAre400() {
        for value in ["chunked, chunked", ", chunked", "chunked,,chunked", " , chunked"] {
            assertRequestFails(getHead + "Transfer-Encoding: \(value)\r\n\r\n0\r\n\r\n", .badTransferEncoding, status: 400)
        }
        assertRequestFails(getHead + "Transfer-Encoding: chunked\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n",
                           .badTransferEncoding, status: 400)
    }

    func testOtherCodingsBeforeChunkedAre501() {
        for value in ["gzip, chunked", "deflate,chunked", "identity, chunked", "gzip, deflate, chunked"] {
            assertRequestFails(getHead + "Transfer-Encoding: \(value)\r\n\r\n0\r\n\r\n",
                               .unsupportedTransferCoding, status: 501)
        }
        assertRequestFails(getHead + "Transfer-Encoding: gzip\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n",
                           .unsupportedTransferCoding, status: 501)
    }

    func testTransferEncodingInHTTP10Is400() {
        assertRequestFails("POST / HTTP/1.0\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n", .badTransferEncoding, status: 400)
        assertRequestFails("POST / HTTP/1.0\r\nTransfer-Encoding: gzip, chunked\r\n\r\n", .badTransferEncoding, status: 400)
    }

    func testHTTP10ContentLengthBody() {
        let events = ParserDriver.requests(bytes("POST / HTTP/1.0\r\nContent-Length: 2\r\n\r\nok"))
        XCTAssertEqual(events.dropFirst(), [.body(bytes("ok")), .end])
    }

    /// Classic request smuggling shapes: each must be refused at the head,
    /// never parsed as one request followed by a second.
    func testSmugglingCorpusIsRefused() {
        let corpus: [(String, HTTPParseError)] = [
            // CL.TE and TE.CL
            ("POST / HTTP/1.1\r\nHost: h\r\nContent-Length: 13\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\nSMUGGLED",
             .contentLengthWithTransferEncoding),
            ("POST / HTTP/1.1\r\nHost: h\r\nContent-Length: 3\r\nTransfer-Encoding: chunked\r\n\r\n8\r\nSMUGGLED\r\n0\r\n\r\n",
             .contentLengthWithTransferEncoding),
            // TE.TE obfuscations
            ("POST / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: xchunked\r\n\r\n", .badTransferEncoding),
            ("POST / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding : chunked\r\n\r\n", .spaceBeforeColon),
            ("POST / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding:\r\n chunked\r\n\r\n", .obsoleteLineFolding),
            ("POST / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\nTransfer-encoding: cow\r\n\r\n",
             .badTransferEncoding),
            ("POST / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding:\u{B}chunked\r\n\r\n", .badHeaderField),
            ("POST / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding\u{B}: chunked\r\n\r\n", .badHeaderField),
            ("POST / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\tX: y\r\n\r\n", .obsoleteLineFolding),
            ("POST / HTTP/1.1\r\nHost: h\r\n Transfer-Encoding: chunked\r\n\r\n", .obsoleteLineFolding),
            ("POST / HTTP/1.1\r\nHost: h\r\nX: y\nTransfer-Encoding: chunked\r\n\r\n", .bareCarriageReturn),
            ("POST / HTTP/1.1\r\nHost: h\r\nX: y\rTransfer-Encoding: chunked\r\n\r\n", .bareCarriageReturn),
            ("POST / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked, identity\r\n\r\n", .badTransferEncoding),
            ("POST / HTTP/1.0\r\nTransfer-Encoding: chunked\r\nContent-Length: 5\r\n\r\n", .badTransferEncoding),
            // CL.CL
            ("POST / HTTP/1.1\r\nHost: h\r\nContent-Length: 0\r\nContent-Length: 44\r\n\r\n", .duplicateContentLength),
            ("POST / HTTP/1.1\r\nHost: h\r\nContent-Length: 0, 44\r\n\r\n", .duplicateContentLength),
            ("POST / HTTP/1.1\r\nHost: h\r\nContent-Length: 4 4\r\n\r\n", .badContentLength),
            ("POST / HTTP/1.1\r\nHost: h\r\nContent-Length: 0\0 44\r\n\r\n", .badHeaderField),
            ("POST / HTTP/1.1\r\nHost: h\r\nContent-Length : 44\r\n\r\n", .spaceBeforeColon),
            // Host confusion
            ("GET / HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\n", .duplicateHost),
        ]
        for (text, error) in corpus {
            let events = ParserDriver.requests(bytes(text), finish: true)
            XCTAssertEqual(events.count, 1, "\(text.debugDescription): \(events)")
            XCTAssertEqual(events.last?.error, error, text.debugDescription)
            XCTAssertGreaterThanOrEqual(error.status, 400)
        }
    }

    func testAnErrorIsStickyAndConsumesNothing() {
        var parser = RequestParser()
        let input = bytes(getHead + "Content-Length: 1\r\nContent-Length: 1\r\n\r\nxGET / HTTP/1.1\r\nHost: h\r\n\r\n")
        input.withUnsafeBytes { buffer in
            for _ in 0..<3 {
                let (event, consumed) = parser.next(buffer)
                guard case .error(.duplicateContentLength) = event else { return XCTFail("\(event)") }
                XCTAssertEqual(consumed, 0)
            }
        }
        guard case .error(.duplicateContentLength)? = parser.finish() else { return XCTFail("finish") }
    }
}
