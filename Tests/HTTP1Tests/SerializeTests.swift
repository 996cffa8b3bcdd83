import XCTest
@testable import HTTP1

/// What the writers produce reads back through the parsers unchanged.
final class SerializeTests: XCTestCase {
    func testRequestHeadSerializes() {
        let head = RequestHead(method: .PUT, target: "/blobs/u/1?x=y",
                               headers: HTTPHeaders([("Host", "h:8000"), ("Content-Length", "3")]))
        var out: [UInt8] = []
        head.serialize(into: &out)
        XCTAssertEqual(String(decoding: out, as: UTF8.self),
                       "PUT /blobs/u/1?x=y HTTP/1.1\r\nHost: h:8000\r\nContent-Length: 3\r\n\r\n")
    }

    func testRequestRoundTrip() {
        let heads = [
            RequestHead(method: .GET, target: "/", headers: HTTPHeaders([("Host", "h")])),
            RequestHead(method: .other("PURGE"), target: "/a%20b?q", version: .http10,
                        headers: HTTPHeaders([("Connection", "keep-alive"), ("X-Dup", "1"), ("x-dup", "2")])),
            RequestHead(method: .POST, target: "/up",
                        headers: HTTPHeaders([("Host", "h"), ("Transfer-Encoding", "chunked"), ("Expect", "100-continue")])),
        ]
        for head in heads {
            var out: [UInt8] = []
            head.serialize(into: &out)
            guard case .head(let parsed)? = ParserDriver.requests(out).first else { return XCTFail("\(head)") }
            XCTAssertEqual(parsed.method, head.method)
            XCTAssertEqual(parsed.target, head.target)
            XCTAssertEqual(parsed.version, head.version)
            XCTAssertEqual(parsed.headers, head.headers.map { "\($0.name): \($0.value)" })
        }
    }

    func testRequestFramingFollowsTheHeaders() {
        var head = RequestHead(method: .POST, target: "/up", headers: HTTPHeaders([("Host", "h")]))
        head.headers.append(name: "Content-Length", value: "4")
        var out: [UInt8] = []
        head.serialize(into: &out)
        out += bytes("data")
        let events = ParserDriver.requests(out)
        guard case .head(let parsed)? = events.first else { return XCTFail("\(events)") }
        XCTAssertEqual(parsed.framing, .length(4))
        XCTAssertTrue(parsed.keepAlive)
        XCTAssertEqual(events.dropFirst(), [.body(bytes("data")), .end])
    }

    func testResponseHeadSerializes() {
        let head = ResponseHead(status: 404, headers: HTTPHeaders([("Content-Length", "0")]))
        var out: [UInt8] = []
        head.serialize(into: &out)
        XCTAssertEqual(String(decoding: out, as: UTF8.self), "HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\n\r\n")
    }

    func testResponseRoundTrip() {
        let heads = [
            ResponseHead(status: 200, headers: HTTPHeaders([("Content-Length", "2"), ("Content-Type", "text/plain")])),
            ResponseHead(status: 503, reason: "Busy", version: .http10,
                         headers: HTTPHeaders([("Connection", "keep-alive"), ("Content-Length", "0")])),
            ResponseHead(status: 299, headers: HTTPHeaders([("Transfer-Encoding", "chunked")])),
            ResponseHead(status: 204),
        ]
        for head in heads {
            var out: [UInt8] = []
            head.serialize(into: &out)
            guard case .head(let parsed)? = ParserDriver.responses(out).first else { return XCTFail("\(head)") }
            XCTAssertEqual(parsed.status, head.status)
            XCTAssertEqual(parsed.reason, head.reason)
            XCTAssertEqual(parsed.version, head.version)
            XCTAssertEqual(parsed.headers, head.headers.map { "\($0.name): \($0.value)" })
            XCTAssertTrue(parsed.keepAlive)
        }
    }

    func testReasonPhrases() {
        let expected: [Int: String] = [
            100: "Continue", 200: "OK", 201: "Created", 204: "No Content", 206: "Partial Content",
            304: "Not Modified", 400: "Bad Request", 404: "Not Found", 405: "Method Not Allowed",
            413: "Content Too Large", 414: "URI Too Long", 416: "Range Not Satisfiable",
            417: "Expectation Failed", 431: "Request Header Fields Too Large", 501: "Not Implemented",
            502: "Bad Gateway", 503: "Service Unavailable", 504: "Gateway Timeout",
            505: "HTTP Version Not Supported", 507: "Insufficient Storage", 299: "Status 299",
        ]
        for (status, reason) in expected {
            XCTAssertEqual(HTTPStatus.reason(status), reason)
            XCTAssertEqual(ResponseHead(status: status).reason, reason)
        }
    }

    func testStatusCodesAreThreeDigits() {
        for (status, text) in [(200, "200"), (99, "100"), (1000, "999"), (-5, "100"), (505, "505")] {
            var out: [UInt8] = []
            HTTPStatus.appendCode(status, to: &out)
            XCTAssertEqual(String(decoding: out, as: UTF8.self), text)
        }
    }

    func testEditedHeadersSerializeWithoutRemovedFields() {
        var headers = HTTPHeaders([("Host", "h"), ("Connection", "close"), ("X-Keep", "1")])
        headers.remove(name: "connection")
        headers.replace(name: "host", value: "backend:8001")
        var out: [UInt8] = []
        headers.serialize(into: &out)
        XCTAssertEqual(String(decoding: out, as: UTF8.self), "X-Keep: 1\r\nhost: backend:8001\r\n")
    }

    func testGeneratedFieldsFrameAResponse() {
        let date = Array("Date: Thu, 01 Jan 1970 00:00:00 GMT\r\n".utf8)
        let head = ResponseHead(status: 200, headers: HTTPHeaders([("Content-Type", "text/plain")]))
        var out: [UInt8] = []
        head.serialize(into: &out, adding: GeneratedFields(dateLine: date, contentLength: 1_234_567_890, connection: .close))
        XCTAssertEqual(String(decoding: out, as: UTF8.self),
                       "HTTP/1.1 200 OK\r\nDate: Thu, 01 Jan 1970 00:00:00 GMT\r\nContent-Type: text/plain\r\n"
                       + "Content-Length: 1234567890\r\nConnection: close\r\n\r\n")
        guard case .head(let parsed)? = ParserDriver.responses(out).first else { return XCTFail() }
        XCTAssertEqual(parsed.framing, .length(1_234_567_890))
        XCTAssertFalse(parsed.keepAlive)
    }

    func testContentLengthIsWrittenAsDecimalDigits() {
        for length in [0, 1, 9, 10, 99, 100, 10_240, 1 << 40, Int.max] {
            var out: [UInt8] = []
            ResponseHead(status: 200).serialize(into: &out, adding: GeneratedFields(contentLength: length))
            XCTAssertEqual(String(decoding: out, as: UTF8.self), "HTTP/1.1 200 OK\r\nContent-Length: \(length)\r\n\r\n")
        }
    }

    func testKeepAliveTowardsHTTP10Peers() {
        var out: [UInt8] = []
        ResponseHead(status: 204).serialize(into: &out, adding: GeneratedFields(connection: .keepAlive))
        XCTAssertEqual(String(decoding: out, as: UTF8.self), "HTTP/1.1 204 No Content\r\nConnection: keep-alive\r\n\r\n")
    }

    func testGeneratedFieldsFrameARequest() {
        let head = RequestHead(method: .PUT, target: "/blobs/u/1", headers: HTTPHeaders([("Host", "h")]))
        var out: [UInt8] = []
        head.serialize(into: &out, adding: GeneratedFields(contentLength: 3, connection: .close))
        XCTAssertEqual(String(decoding: out, as: UTF8.self),
                       "PUT /blobs/u/1 HTTP/1.1\r\nHost: h\r\nContent-Length: 3\r\nConnection: close\r\n\r\n")
        out += bytes("abc")
        let events = ParserDriver.requests(out)
        guard case .head(let parsed)? = events.first else { return XCTFail("\(events)") }
        XCTAssertEqual(parsed.framing, .length(3))
        XCTAssertFalse(parsed.keepAlive)
        XCTAssertEqual(events.dropFirst(), [.body(bytes("abc")), .end])
    }

    func testSerializingAppendsToWhatTheBufferHolds() {
        var out = Array("kept".utf8)
        ResponseHead(status: 404).serialize(into: &out, adding: GeneratedFields(contentLength: 0))
        XCTAssertEqual(String(decoding: out, as: UTF8.self), "keptHTTP/1.1 404 Not Found\r\nContent-Length: 0\r\n\r\n")
    }
}
