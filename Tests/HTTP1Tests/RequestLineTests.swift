import XCTest
@testable import HTTP1

/// The request line: method, target, version, and what is refused in each.
final class RequestLineTests: XCTestCase {
    func testSimpleGetGivesHeadThenEnd() {
        let events = ParserDriver.requests(bytes("GET /blobs/a?x=1 HTTP/1.1\r\nHost: example\r\n\r\n"))
        XCTAssertEqual(events.count, 2)
        guard case .head(let head) = events[0] else { return XCTFail("\(events)") }
        XCTAssertEqual(head.method, .GET)
        XCTAssertEqual(head.target, "/blobs/a?x=1")
        XCTAssertEqual(head.version, .http11)
        XCTAssertEqual(head.headers, ["Host: example"])
        XCTAssertEqual(head.framing, BodyFraming.none)
        XCTAssertTrue(head.keepAlive)
        XCTAssertFalse(head.expectsContinue)
        XCTAssertEqual(events[1], .end)
    }

    func testKnownMethodsAreCasesAndOthersAreKept() {
        let known: [(String, HTTPMethod)] = [
            ("GET", .GET), ("HEAD", .HEAD), ("PUT", .PUT), ("POST", .POST), ("DELETE", .DELETE),
            ("OPTIONS", .OPTIONS), ("PATCH", .PATCH), ("TRACE", .TRACE), ("CONNECT", .CONNECT),
            ("PURGE", .other("PURGE")), ("get", .other("get")), ("M-SEARCH", .other("M-SEARCH")),
        ]
        for (text, method) in known {
            let head = requestHead("\(text) / HTTP/1.1\r\nHost: h\r\n\r\n")
            XCTAssertEqual(head?.method, method, text)
            XCTAssertEqual(method.description, text)
        }
    }

    func testPathAndQuery() {
        var head = RequestHead(method: .GET, target: "/a/b?c=d?e")
        XCTAssertEqual(head.path, "/a/b")
        XCTAssertEqual(head.query, "c=d?e")
        head.target = "/plain"
        XCTAssertEqual(head.path, "/plain")
        XCTAssertNil(head.query)
    }

    func testParsedPathAndQueryComeFromTheHeadsBytes() {
        var parser = RequestParser()
        let event = bytes("GET /blobs/u/%41?namespace=n&x=%3F HTTP/1.1\r\nHost: h\r\n\r\n").withUnsafeBytes { parser.next($0).event }
        guard case .head(var head) = event else { return XCTFail("\(event)") }
        XCTAssertEqual(head.target, "/blobs/u/%41?namespace=n&x=%3F")
        XCTAssertEqual(head.path, "/blobs/u/%41")
        XCTAssertEqual(head.query, "namespace=n&x=%3F")
        head.withPathAndQueryBytes { path, query in
            XCTAssertEqual(Array(path), Array("/blobs/u/%41".utf8))
            XCTAssertEqual(query.map(Array.init), Array("namespace=n&x=%3F".utf8))
        }
        head.target = "/other"
        XCTAssertEqual(head.path, "/other")
        XCTAssertNil(head.query)
        var bytes: [UInt8] = []
        head.serialize(into: &bytes)
        XCTAssertEqual(String(decoding: bytes, as: UTF8.self), "GET /other HTTP/1.1\r\nHost: h\r\n\r\n")
    }

    func testAbsoluteAndAsteriskFormsAreKeptAsSent() {
        XCTAssertEqual(requestHead("GET http://h/x?y HTTP/1.1\r\nHost: h\r\n\r\n")?.target, "http://h/x?y")
        XCTAssertEqual(requestHead("OPTIONS * HTTP/1.1\r\nHost: h\r\n\r\n")?.target, "*")
    }

    func testHTTP10NeedsNoHost() {
        let head = requestHead("GET / HTTP/1.0\r\n\r\n")
        XCTAssertEqual(head?.version, .http10)
        XCTAssertEqual(head?.headers, [])
    }

    func testMalformedRequestLinesAre400() {
        let bad = [
            " / HTTP/1.1",          // no method
            "GET  / HTTP/1.1",      // two spaces
            "GET / HTTP/1.1 ",      // trailing space
            "GET /",                // HTTP/0.9
            "GET / ",               // no version
            "GET\t/ HTTP/1.1",      // tab as separator
            "GET /\t HTTP/1.1",     // tab in target
            "GE@T / HTTP/1.1",      // not a token
            "GET /a\u{7F} HTTP/1.1",  // DEL in target
            "GET /\u{E9} HTTP/1.1",   // non-ASCII in target
            "GET / http/1.1",       // lower-case version
            "GET / HTTP/1.10",      // version too long
            "GET / HTTP/11",        // no dot
            "GET / HTTP/1.1x",
            "GET / HTTP/a.b",
        ]
        for line in bad {
            assertRequestFails("\(line)\r\nHost: h\r\n\r\n", .badRequestLine, status: 400)
        }
    }

    func testNULInRequestLineIs400() {
        assertRequestFails("GET /a\0b HTTP/1.1\r\nHost: h\r\n\r\n", .badRequestLine, status: 400)
        assertRequestFails("G\0T / HTTP/1.1\r\nHost: h\r\n\r\n", .badRequestLine, status: 400)
    }

    func testBareCRInRequestLineIs400() {
        let error = requestError("GET /a\rb HTTP/1.1\r\nHost: h\r\n\r\n")
        XCTAssertNotNil(error)
        XCTAssertEqual(error?.status, 400)
        XCTAssertEqual(requestError("GET / HTTP/1.1\rX\r\nHost: h\r\n\r\n"), .badRequestLine)
    }

    func testBareLFEndingRequestLineIs400() {
        assertRequestFails("GET / HTTP/1.1\nHost: h\r\n\r\n", .bareCarriageReturn, status: 400)
    }

    func testOtherVersionsAre505() {
        for version in ["HTTP/2.0", "HTTP/1.2", "HTTP/0.9", "HTTP/3.0", "HTTP/1.9", "HTTP/9.9"] {
            assertRequestFails("GET / \(version)\r\nHost: h\r\n\r\n", .unsupportedVersion, status: 505)
        }
    }

    func testLeadingEmptyLinesAreIgnored() {
        let events = ParserDriver.requests(bytes("\r\n\r\n\r\nGET / HTTP/1.1\r\nHost: h\r\n\r\n"))
        XCTAssertEqual(events.count, 2)
        guard case .head(let head) = events.first else { return XCTFail("\(events)") }
        XCTAssertEqual(head.target, "/")
        XCTAssertEqual(events.last, .end)
    }

    func testLeadingEmptyLinesBetweenPipelinedRequestsAreIgnored() {
        let events = ParserDriver.requests(bytes(
            "GET /1 HTTP/1.1\r\nHost: h\r\n\r\n\r\n\r\nGET /2 HTTP/1.1\r\nHost: h\r\n\r\n"))
        XCTAssertEqual(events.count, 4)
        guard case .head(let second) = events[2] else { return XCTFail("\(events)") }
        XCTAssertEqual(second.target, "/2")
    }

    func testPeerClosingInsideAHeadIsTruncated() {
        XCTAssertEqual(ParserDriver.requests(bytes("GET / HTTP/1.1\r\nHo"), finish: true), [.error(.truncated)])
        XCTAssertEqual(ParserDriver.requests(bytes("G"), finish: true), [.error(.truncated)])
        // Closing between requests, or after empty lines only, is not an error.
        XCTAssertEqual(ParserDriver.requests(bytes("\r\n\r\n"), finish: true), [])
        XCTAssertEqual(ParserDriver.requests(bytes(""), finish: true), [])
        let events = ParserDriver.requests(bytes("GET / HTTP/1.1\r\nHost: h\r\n\r\n"), finish: true)
        XCTAssertEqual(events.count, 2)
        XCTAssertEqual(events.last, .end)
    }

    func testLeadingBareLFIs400() {
        assertRequestFails("\nGET / HTTP/1.1\r\nHost: h\r\n\r\n", .bareCarriageReturn, status: 400)
    }

    func testEndlessEmptyLinesAreRefused() {
        let limits = HTTPLimits(maxRequestLine: 16)
        let many = String(repeating: "\r\n", count: 9) + "GET / HTTP/1.1\r\nHost: h\r\n\r\n"
        assertRequestFails(many, .badRequestLine, status: 400, limits: limits)
        let few = String(repeating: "\r\n", count: 8) + "GET / HTTP/1.1\r\nHost: h\r\n\r\n"
        XCTAssertEqual(requestHead(few, limits: limits)?.target, "/")
    }
}
