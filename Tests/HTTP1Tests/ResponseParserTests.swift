import XCTest
@testable import HTTP1

/// The response parser: status line, framing by status and request method,
/// read-until-close, truncation, interim responses.
final class ResponseParserTests: XCTestCase {
    private func head(_ events: [ResponseEvent], _ index: Int = 0) -> ResponseSummary? {
        guard index < events.count, case .head(let head) = events[index] else { return nil }
        return head
    }

    func testStatusLine() {
        let events = ParserDriver.responses(bytes("HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\n\r\n"))
        XCTAssertEqual(events.count, 2)
        let parsed = head(events)
        XCTAssertEqual(parsed?.status, 404)
        XCTAssertEqual(parsed?.reason, "Not Found")
        XCTAssertEqual(parsed?.version, .http11)
        XCTAssertEqual(parsed?.headers, ["Content-Length: 0"])
        XCTAssertEqual(events.last, .end)
    }

    func testEmptyReasonAndHTTP10() {
        XCTAssertEqual(head(ParserDriver.responses(bytes("HTTP/1.1 200 \r\nContent-Length: 0\r\n\r\n")))?.reason, "")
        XCTAssertEqual(head(ParserDriver.responses(bytes("HTTP/1.1 200\r\nContent-Length: 0\r\n\r\n")))?.reason, "")
        let old = head(ParserDriver.responses(bytes("HTTP/1.0 503 Busy, go away\r\nContent-Length: 0\r\n\r\n")))
        XCTAssertEqual(old?.version, .http10)
        XCTAssertEqual(old?.status, 503)
        XCTAssertEqual(old?.reason, "Busy, go away")
    }

    func testMalformedStatusLines() {
        let bad = [
            "HTTP/1.1 20 OK", "HTTP/1.1 2000 OK", "HTTP/1.1 099 Low", "HTTP/1.1 2x0 OK", "HTTP/1.1  200 OK",
            "http/1.1 200 OK", "HTTP/1.1 200OK", "HTTP/2 200 OK", "HTTP/2.0 200 OK", "HTTP/1.1 200 O\0K",
            "HTTP/1.1 200 O\u{7F}K", "HTTP/1.1", "ICY 200 OK", "",
        ]
        for line in bad {
            let events = ParserDriver.responses(bytes("\(line)\r\nContent-Length: 0\r\n\r\n"))
            XCTAssertEqual(events, [.error(.badStatusLine)], line.debugDescription)
        }
    }

    func testBareCRInStatusLine() {
        XCTAssertEqual(ParserDriver.responses(bytes("HTTP/1.1 200 O\rK\r\n\r\n")), [.error(.bareCarriageReturn)])
        XCTAssertEqual(ParserDriver.responses(bytes("HTTP/1.1 200 OK\nA: b\r\n\r\n")), [.error(.bareCarriageReturn)])
    }

    func testContentLengthBody() {
        let events = ParserDriver.responses(bytes("HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nhello"))
        XCTAssertEqual(head(events)?.framing, .length(5))
        XCTAssertEqual(events.dropFirst(), [.body(bytes("hello")), .end])
    }

    func testChunkedBody() {
        let events = ParserDriver.responses(bytes(
            "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n2;x=y\r\nde\r\n0\r\nT: v\r\n\r\n"))
        XCTAssertEqual(head(events)?.framing, .chunked)
        XCTAssertEqual(events.dropFirst(), [.body(bytes("abcde")), .end])
    }

    func testReadUntilClose() {
        var parser = ResponseParser()
        let input = bytes("HTTP/1.1 200 OK\r\n\r\nsome bytes")
        input.withUnsafeBytes { buffer in
            let (first, used) = parser.next(buffer)
            guard case .head(let head) = first else { return XCTFail("\(first)") }
            XCTAssertEqual(head.framing, .untilClose)
            XCTAssertFalse(head.keepAlive)
            let (second, rest) = parser.next(UnsafeRawBufferPointer(rebasing: buffer[used...]))
            guard case .body(let data) = second else { return XCTFail("\(second)") }
            XCTAssertEqual(Array(data), bytes("some bytes"))
            XCTAssertEqual(used + rest, buffer.count)
            let (third, none) = parser.next(UnsafeRawBufferPointer(rebasing: buffer[buffer.count...]))
            guard case .needMore = third else { return XCTFail("\(third)") }
            XCTAssertEqual(none, 0)
        }
        guard case .end? = parser.finish() else { return XCTFail("finish should end the body") }
        XCTAssertTrue(parser.isIdle)
        XCTAssertNil(parser.finish())
    }

    func testReadUntilCloseThroughTheDriver() {
        let events = ParserDriver.responses(bytes("HTTP/1.0 200 OK\r\nX: y\r\n\r\nabc"), finish: true)
        XCTAssertEqual(events.dropFirst(), [.body(bytes("abc")), .end])
    }

    func testUnknownCodingIsReadUntilClose() {
        let events = ParserDriver.responses(bytes("HTTP/1.1 200 OK\r\nTransfer-Encoding: gzip\r\n\r\nzz"), finish: true)
        XCTAssertEqual(head(events)?.framing, .untilClose)
        XCTAssertEqual(events.dropFirst(), [.body(bytes("zz")), .end])
    }

    func testTruncatedBodies() {
        let length = ParserDriver.responses(bytes("HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nabc"), finish: true)
        XCTAssertEqual(length.dropFirst(), [.body(bytes("abc")), .error(.truncated)])
        let chunked = ParserDriver.responses(
            bytes("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n"), finish: true)
        XCTAssertEqual(chunked.dropFirst(), [.body(bytes("abc")), .error(.truncated)])
        XCTAssertEqual(HTTPParseError.truncated.status, 400)
    }

    func testServerClosingInsideAHeadIsTruncated() {
        XCTAssertEqual(ParserDriver.responses(bytes("HTTP/1.1 200 OK\r\nContent-Le"), finish: true), [.error(.truncated)])
        XCTAssertEqual(ParserDriver.responses(bytes("H"), finish: true), [.error(.truncated)])
        XCTAssertEqual(ParserDriver.responses(bytes(""), finish: true), [])
        let interim = ParserDriver.responses(bytes("HTTP/1.1 100 Continue\r\n\r\n"), finish: true)
        XCTAssertEqual(interim.count, 1, "closing after an interim response is between responses: \(interim)")
    }

    func testTruncationIsSticky() {
        var parser = ResponseParser()
        let input = bytes("HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\n")
        _ = input.withUnsafeBytes { parser.next($0) }
        guard case .error(.truncated)? = parser.finish() else { return XCTFail("not truncated") }
        guard case .error(.truncated)? = parser.finish() else { return XCTFail("not sticky") }
        let (event, consumed) = input.withUnsafeBytes { parser.next($0) }
        guard case .error(.truncated) = event else { return XCTFail("\(event)") }
        XCTAssertEqual(consumed, 0)
    }

    func testResponseToHeadHasNoBody() {
        let text = "HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\nHTTP/1.1 204 No Content\r\n\r\n"
        let events = ParserDriver.responses(bytes(text), toHead: true)
        XCTAssertEqual(events.count, 4)
        XCTAssertEqual(head(events)?.framing, BodyFraming.none)
        XCTAssertEqual(head(events)?.keepAlive, true)
        XCTAssertEqual(events[1], .end)
        XCTAssertEqual(head(events, 2)?.status, 204)
        XCTAssertEqual(events[3], .end)
    }

    func testHeadResponseIgnoresBodyLimitsAndChunked() {
        let limits = HTTPLimits(maxBodyBytes: 10)
        let events = ParserDriver.responses(bytes("HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\n"),
                                            limits: limits, toHead: true)
        XCTAssertEqual(events.count, 2)
        XCTAssertEqual(events.last, .end)
        let chunked = ParserDriver.responses(bytes("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n"), toHead: true)
        XCTAssertEqual(chunked.count, 2)
        XCTAssertEqual(chunked.last, .end)
    }

    func testNoContentAndNotModifiedHaveNoBody() {
        for status in ["204 No Content", "304 Not Modified"] {
            let text = "HTTP/1.1 \(status)\r\nContent-Length: 7\r\n\r\nHTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok"
            let events = ParserDriver.responses(bytes(text))
            XCTAssertEqual(head(events)?.framing, BodyFraming.none, status)
            XCTAssertEqual(events[1], .end)
            XCTAssertEqual(head(events, 2)?.status, 200)
            XCTAssertEqual(events.dropFirst(3), [.body(bytes("ok")), .end])
        }
    }

    func testContinueThenFinalResponse() {
        var parser = ResponseParser()
        let input = bytes("HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok")
        input.withUnsafeBytes { buffer in
            let (first, used) = parser.next(buffer)
            guard case .head(let interim) = first else { return XCTFail("\(first)") }
            XCTAssertEqual(interim.status, 100)
            XCTAssertEqual(interim.framing, BodyFraming.none)
            XCTAssertTrue(parser.isIdle, "an interim response has no body and no end")
            let (second, _) = parser.next(UnsafeRawBufferPointer(rebasing: buffer[used...]))
            guard case .head(let final) = second else { return XCTFail("\(second)") }
            XCTAssertEqual(final.status, 200)
        }
        let events = ParserDriver.responses(input)
        XCTAssertEqual(events.count, 4)
        XCTAssertEqual(head(events, 1)?.status, 200)
        XCTAssertEqual(events.dropFirst(2), [.body(bytes("ok")), .end])
    }

    func testSeveralInterimResponses() {
        let events = ParserDriver.responses(bytes(
            "HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 103 Early Hints\r\nLink: </a>\r\n\r\nHTTP/1.1 204 No Content\r\n\r\n"))
        XCTAssertEqual(events.map { if case .head(let head) = $0 { return head.status } else { return 0 } },
                       [100, 103, 204, 0])
        XCTAssertEqual(events.last, .end)
    }

    func testFramingErrorsInResponses() {
        let cases: [(String, HTTPParseError)] = [
            ("Content-Length: 1\r\nTransfer-Encoding: chunked", .contentLengthWithTransferEncoding),
            ("Content-Length: 1\r\nContent-Length: 1", .duplicateContentLength),
            ("Content-Length: 1, 1", .duplicateContentLength),
            ("Content-Length: -1", .badContentLength),
            ("Transfer-Encoding: gzip, chunked", .unsupportedTransferCoding),
            ("Transfer-Encoding: chunked, chunked", .badTransferEncoding),
            ("X : y", .spaceBeforeColon),
            ("X: y\r\n z", .obsoleteLineFolding),
        ]
        for (fields, error) in cases {
            let events = ParserDriver.responses(bytes("HTTP/1.1 200 OK\r\n\(fields)\r\n\r\n"))
            XCTAssertEqual(events, [.error(error)], fields.debugDescription)
        }
    }

    func testResponseBodyOverTheLimit() {
        let limits = HTTPLimits(maxBodyBytes: 4)
        XCTAssertEqual(ParserDriver.responses(bytes("HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nhello"), limits: limits),
                       [.error(.bodyTooLarge)])
        let chunked = ParserDriver.responses(
            bytes("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n4\r\nabcd\r\n1\r\ne\r\n0\r\n\r\n"), limits: limits)
        XCTAssertEqual(chunked.dropFirst(), [.body(bytes("abcd")), .error(.bodyTooLarge)])
    }

    func testFinishWhenIdleIsNil() {
        var parser = ResponseParser()
        XCTAssertNil(parser.finish())
        let events = ParserDriver.responses(bytes("HTTP/1.1 200 OK\r\nContent-Length: 1\r\n\r\nx"), finish: true)
        XCTAssertEqual(events.dropFirst(), [.body(bytes("x")), .end])
    }

    func testExpectResponseToHeadCanBeSwitchedOff() {
        var parser = ResponseParser()
        parser.expectResponse(toHead: true)
        let first = bytes("HTTP/1.1 200 OK\r\nContent-Length: 3\r\n\r\n")
        first.withUnsafeBytes { buffer in
            let (event, used) = parser.next(buffer)
            guard case .head(let head) = event else { return XCTFail("\(event)") }
            XCTAssertEqual(head.framing, BodyFraming.none)
            guard case .end = parser.next(UnsafeRawBufferPointer(rebasing: buffer[used...])).event else {
                return XCTFail("no end")
            }
        }
        parser.expectResponse(toHead: false)
        let second = bytes("HTTP/1.1 200 OK\r\nContent-Length: 3\r\n\r\nabc")
        second.withUnsafeBytes { buffer in
            guard case .head(let head) = parser.next(buffer).event else { return XCTFail("no head") }
            XCTAssertEqual(head.framing, .length(3))
        }
    }
}
