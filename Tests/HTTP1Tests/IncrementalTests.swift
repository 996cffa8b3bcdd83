import XCTest
@testable import HTTP1

/// However the bytes arrive (whole, one at a time, cut anywhere), the events
/// are the same; pipelined messages come out in order.
final class IncrementalTests: XCTestCase {
    static let requestCorpus: [String] = [
        "GET / HTTP/1.1\r\nHost: h\r\n\r\n",
        "\r\n\r\nGET /a?b HTTP/1.1\r\nHost: h\r\nConnection: close\r\n\r\n",
        "POST /p HTTP/1.1\r\nHost: h\r\nContent-Length: 11\r\n\r\nhello world",
        "POST /c HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\n5;e=\"v\"\r\nhello\r\n0\r\nT: x\r\n\r\n",
        "PUT /x HTTP/1.1\r\nHost: h\r\nExpect: 100-continue\r\nContent-Length: 2\r\n\r\nok",
        "GET / HTTP/1.0\r\nConnection: keep-alive\r\n\r\n",
        // pipelined
        "GET /1 HTTP/1.1\r\nHost: h\r\n\r\nPOST /2 HTTP/1.1\r\nHost: h\r\nContent-Length: 3\r\n\r\nabc"
            + "POST /3 HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\n1\r\nz\r\n0\r\n\r\n\r\nGET /4 HTTP/1.0\r\n\r\n",
        // unfinished: finish() reports truncation
        "POST /p HTTP/1.1\r\nHost: h\r\nContent-Length: 11\r\n\r\nhello",
        "POST /c HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhel",
        "GET / HTTP/1.1\r\nHost: h\r\nX-Partial: y",
        // errors, at the head and in the body
        "GET / HTTP/1.1\r\nHost: h\r\nHost: i\r\n\r\n",
        "GET / HTTP/2.0\r\nHost: h\r\n\r\n",
        "GET / HTTP/1.1\r\nHost: h\r\nX: a\r\n b\r\n\r\n",
        "GET / HTTP/1.1\r\nHost: h\r\nX: a\nY: b\r\n\r\n",
        "GET / HTTP/1.1\r\nHost: h\r\nX: a\rb\r\n\r\n",
        "\nGET / HTTP/1.1\r\n\r\n",
        "\r\r\nGET / HTTP/1.1\r\n\r\n",
        "GET / HTTP/1.1\r\nHost: h\r\nContent-Length: 1\r\nTransfer-Encoding: chunked\r\n\r\n",
        "POST / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhelloXX0\r\n\r\n",
        "POST / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\nfffffffffffffffff\r\n",
        "POST / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\n1;a=\"\r\nx\r\n0\r\n\r\n",
        "POST / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\n0\r\nBad Trailer: x\r\n\r\n",
        "POST / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\n0\r\nT: x\n\r\n",
        "PUT / HTTP/1.1\r\nHost: h\r\nExpect: nope\r\n\r\n",
    ]

    static let responseCorpus: [String] = [
        "HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nhello",
        "HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 201 Created\r\nTransfer-Encoding: chunked\r\n\r\n2\r\nab\r\n0\r\n\r\n",
        "HTTP/1.1 204 No Content\r\n\r\nHTTP/1.1 304 Not Modified\r\nContent-Length: 9\r\n\r\n",
        "HTTP/1.0 200 OK\r\n\r\nuntil close",
        "HTTP/1.1 200 OK\r\nContent-Length: 9\r\n\r\nshort",
        "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nab",
        "HTTP/1.1 2000 OK\r\n\r\n",
        "HTTP/1.1 200 OK\r\nContent-Length: 1\r\nContent-Length: 1\r\n\r\nx",
        "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabcX\r\n",
        "HTTP/1.1 200 O\rK\r\n\r\n",
    ]

    /// Small limits, so that every bound is met inside short messages.
    static let small = HTTPLimits(maxRequestLine: 20, maxHeadBytes: 60, maxHeaderCount: 3, maxBodyBytes: 12,
                                  maxChunkLine: 6)

    func testRequestCorpusGivesTheSameEventsHoweverSplit() {
        for text in Self.requestCorpus {
            let events = assertRequestsIncremental(bytes(text))
            XCTAssertFalse(events.isEmpty, text.debugDescription)
            assertRequestsIncremental(bytes(text), limits: Self.small)
        }
    }

    func testResponseCorpusGivesTheSameEventsHoweverSplit() {
        for text in Self.responseCorpus {
            XCTAssertFalse(assertResponsesIncremental(bytes(text)).isEmpty, text.debugDescription)
            assertResponsesIncremental(bytes(text), toHead: true)
            assertResponsesIncremental(bytes(text), limits: Self.small)
        }
    }

    /// Messages whose length sits right at a limit, where a check on a
    /// partial line and a check on a whole line must agree.
    func testLimitBoundariesGiveTheSameEventsHoweverSplit() {
        var texts: [String] = []
        for extra in 0...3 {
            let target = "/" + String(repeating: "t", count: 4 + extra)
            texts.append("GET \(target) HTTP/1.1\r\nHost: h\r\n\r\n")      // request line around 20
            texts.append("GET \(target) HTTP/1.1\nHost: h\r\n\r\n")        // ... ending in a bare LF
            texts.append("GET / HTTP/1.1\r\nHost: h\r\nX: " + String(repeating: "v", count: 20 + extra) + "\r\n\r\n")
            texts.append("GET / HTTP/1.1\r\nHost: h\r\nX: " + String(repeating: "v", count: 20 + extra) + "\n\r\n")
            let ext = ";" + String(repeating: "e", count: 2 + extra)
            texts.append("POST / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\n1\(ext)\r\nx\r\n0\r\n\r\n")
            texts.append("POST / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\n1\(ext)\nx\r\n0\r\n\r\n")
            let trailer = "T: " + String(repeating: "v", count: 52 + extra)
            texts.append("POST / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\(trailer)\r\n\r\n")
            texts.append("POST / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\(trailer)\n\r\n")
            texts.append(String(repeating: "\r\n", count: 9 + extra) + "GET / HTTP/1.1\r\nHost: h\r\n\r\n")
            texts.append("POST / HTTP/1.1\r\nHost: h\r\nContent-Length: \(11 + extra)\r\n\r\n"
                         + String(repeating: "b", count: 11 + extra))
        }
        for text in texts {
            assertRequestsIncremental(bytes(text), limits: Self.small)
            assertResponsesIncremental(bytes(text.replacingOccurrences(of: "GET / HTTP/1.1", with: "HTTP/1.1 200 OK")),
                                       limits: Self.small)
        }
    }

    func testPipelinedRequestsInOneBufferComeOutInOrder() {
        let text = IncrementalTests.requestCorpus[6]
        let events = ParserDriver.requests(bytes(text))
        let targets = events.compactMap { event -> String? in
            if case .head(let head) = event { return head.target }
            return nil
        }
        XCTAssertEqual(targets, ["/1", "/2", "/3", "/4"])
        let shape = events.map { event -> String in
            switch event {
            case .head: return "H"
            case .body(let data): return String(decoding: data, as: UTF8.self)
            case .end: return "E"
            case .error: return "!"
            }
        }
        XCTAssertEqual(shape, ["H", "E", "H", "abc", "E", "H", "z", "E", "H", "E"])
    }

    func testAPartialSecondRequestWaits() {
        var parser = RequestParser()
        var buffer = bytes("GET /1 HTTP/1.1\r\nHost: h\r\n\r\nGET /2 HTTP/1.1\r\nHo")
        var seen: [String] = []
        func drain() {
            while true {
                let (event, consumed) = buffer.withUnsafeBytes { parser.next($0) }
                buffer.removeFirst(consumed)
                switch event {
                case .head(let head): seen.append(head.target)
                case .end: seen.append("end")
                case .needMore: return
                case .body, .error: return XCTFail("\(event)")
                }
            }
        }
        drain()
        XCTAssertEqual(seen, ["/1", "end"])
        XCTAssertEqual(buffer, bytes("GET /2 HTTP/1.1\r\nHo"), "an unfinished head is left in the buffer")
        XCTAssertTrue(parser.isIdle)
        buffer += bytes("st: h\r\n\r\n")
        drain()
        XCTAssertEqual(seen, ["/1", "end", "/2", "end"])
        XCTAssertTrue(buffer.isEmpty)
    }

    func testBodyBytesArePassedThroughAsTheyArrive() {
        let text = bytes("POST / HTTP/1.1\r\nHost: h\r\nContent-Length: 6\r\n\r\nabcdef")
        let headLength = text.count - 6
        var parser = RequestParser()
        var buffer = Array(text[0..<(headLength + 2)])
        let (first, used) = buffer.withUnsafeBytes { parser.next($0) }
        guard case .head = first else { return XCTFail("\(first)") }
        buffer.removeFirst(used)
        var chunks: [[UInt8]] = []
        let (second, taken) = buffer.withUnsafeBytes { input -> (RequestParser.Event, Int) in
            let result = parser.next(input)
            if case .body(let data) = result.event { chunks.append(Array(data)) }
            return result
        }
        guard case .body = second else { return XCTFail("\(second)") }
        XCTAssertEqual(taken, 2)
        buffer.removeFirst(taken)
        buffer += text[(headLength + 2)...]
        buffer.withUnsafeBytes { input in
            let result = parser.next(input)
            if case .body(let data) = result.event { chunks.append(Array(data)) }
            XCTAssertEqual(result.consumed, 4)
        }
        XCTAssertEqual(chunks, [bytes("ab"), bytes("cdef")])
    }

    func testSplitHelperCutsWhereAsked() {
        XCTAssertEqual(ParserDriver.pieces([1, 2, 3, 4], splits: [3, 1, 9, 0, 1]), [[1], [2, 3], [4]])
        XCTAssertEqual(ParserDriver.pieces([], splits: []), [[]])
    }
}
