import XCTest
@testable import HTTP1

/// Header field lines: names, values, whitespace, control bytes, Host.
final class HeaderFieldTests: XCTestCase {
    func testFieldsKeepOrderAndTrimValueWhitespace() {
        let head = requestHead(
            "GET / HTTP/1.1\r\nHost: h\r\nX-A:  one \t\r\nx-a:two\r\nX-Empty:\r\nX-Inner: a  b\r\n\r\n")
        XCTAssertEqual(head?.headers, ["Host: h", "X-A: one", "x-a: two", "X-Empty: ", "X-Inner: a  b"])
    }

    func testLookupIsCaseInsensitive() throws {
        var parser = RequestParser()
        let input = bytes("GET / HTTP/1.1\r\nHOST: h\r\nX-Token: a, Close\r\nx-token: b\r\n\r\n")
        let (event, _) = input.withUnsafeBytes { parser.next($0) }
        guard case .head(let head) = event else { return XCTFail("\(event)") }
        XCTAssertEqual(head.headers["host"], "h")
        XCTAssertEqual(head.headers["X-TOKEN"], "a, Close")
        XCTAssertEqual(head.headers.values("x-token"), ["a, Close", "b"])
        XCTAssertEqual(head.headers.count(of: "X-Token"), 2)
        XCTAssertTrue(head.headers.contains("Host"))
        XCTAssertFalse(head.headers.contains("Hos"))
        XCTAssertTrue(head.headers.containsToken("close", in: "x-token"))
        XCTAssertTrue(head.headers.containsToken("B", in: "x-token"))
        XCTAssertFalse(head.headers.containsToken("a, close", in: "x-token"))
        XCTAssertNil(head.headers["missing"])
        XCTAssertEqual(head.headers.count, 3)
    }

    func testConnectionTokensAreScannedInPlaceAcrossOccurrences() {
        var parser = RequestParser()
        let input = bytes("GET / HTTP/1.1\r\nHost: h\r\nConnection: , Keep-Alive ,\t X-A\r\nX-B: 1\r\nconnection: close\r\n\r\n")
        let (event, _) = input.withUnsafeBytes { parser.next($0) }
        guard case .head(let head) = event else { return XCTFail("\(event)") }
        var tokens: [String] = []
        head.headers.forEachToken(in: "Connection") { tokens.append(String(decoding: $0, as: UTF8.self)); return true }
        XCTAssertEqual(tokens, ["Keep-Alive", "X-A", "close"], "trimmed, empty ones skipped, both fields in order")
        var first: [String] = []
        head.headers.forEachToken(in: "connection") { first.append(String(decoding: $0, as: UTF8.self)); return false }
        XCTAssertEqual(first, ["Keep-Alive"], "false stops the scan")
    }

    func testAHugeConnectionFieldIsScannedInLinearTime() {
        // 32 KiB of tokens, as a hostile client may send (the head's limit).
        let value = String(repeating: "a,", count: 16_000)
        let started = Date()
        var parser = RequestParser()
        let input = bytes("GET / HTTP/1.1\r\nHost: h\r\nConnection: \(value)\r\n\r\n")
        let (event, _) = input.withUnsafeBytes { parser.next($0) }
        guard case .head(let head) = event else { return XCTFail("\(event)") }
        var count = 0
        head.headers.forEachToken(in: "connection") { _ in count += 1; return true }
        XCTAssertEqual(count, 16_000)
        XCTAssertTrue(head.keepAlive)
        XCTAssertFalse(head.headers.containsToken("close", in: "connection"))
        XCTAssertLessThan(Date().timeIntervalSince(started), 0.5)
    }

    func testObsoleteLineFoldingIs400() {
        assertRequestFails("GET / HTTP/1.1\r\nHost: h\r\nX-A: one\r\n two\r\n\r\n", .obsoleteLineFolding, status: 400)
        assertRequestFails("GET / HTTP/1.1\r\nHost: h\r\nX-A: one\r\n\ttwo\r\n\r\n", .obsoleteLineFolding, status: 400)
        // A first field line that starts with whitespace is folding too.
        assertRequestFails("GET / HTTP/1.1\r\n Host: h\r\n\r\n", .obsoleteLineFolding, status: 400)
    }

    func testWhitespaceBeforeColonIs400() {
        assertRequestFails("GET / HTTP/1.1\r\nHost : h\r\n\r\n", .spaceBeforeColon, status: 400)
        assertRequestFails("GET / HTTP/1.1\r\nHost\t: h\r\n\r\n", .spaceBeforeColon, status: 400)
        assertRequestFails("GET / HTTP/1.1\r\nHost: h\r\nX A: y\r\n\r\n", .spaceBeforeColon, status: 400)
        assertRequestFails("GET / HTTP/1.1\r\nHost: h\r\nContent-Length : 5\r\n\r\nhello",
                           .spaceBeforeColon, status: 400)
    }

    func testMalformedNamesAre400() {
        for line in [": empty-name", "NoColon", "X(A): y", "X\u{B}A: y", "\u{E9}: y", "X-A\0: y"] {
            assertRequestFails("GET / HTTP/1.1\r\nHost: h\r\n\(line)\r\n\r\n", .badHeaderField, status: 400)
        }
    }

    func testControlBytesInValuesAre400() {
        for value in ["a\0b", "a\u{7F}", "\u{1}", "a\u{B}b", "a\u{C}b", "\u{1B}[0m"] {
            assertRequestFails("GET / HTTP/1.1\r\nHost: h\r\nX-A: \(value)\r\n\r\n", .badHeaderField, status: 400)
        }
    }

    func testBareCRInHeadIs400() {
        assertRequestFails("GET / HTTP/1.1\r\nHost: h\r\nX-A: a\rb\r\n\r\n", .bareCarriageReturn, status: 400)
        assertRequestFails("GET / HTTP/1.1\r\nHost: h\r\nX-A: a\r\r\n\r\n", .bareCarriageReturn, status: 400)
    }

    func testBareLFInHeadIs400() {
        assertRequestFails("GET / HTTP/1.1\r\nHost: h\nX-A: b\r\n\r\n", .bareCarriageReturn, status: 400)
        assertRequestFails("GET / HTTP/1.1\r\nHost: h\r\n\n", .bareCarriageReturn, status: 400)
        assertRequestFails("GET / HTTP/1.1\nHost: h\n\n", .bareCarriageReturn, status: 400)
    }

    func testTabAndObsTextAreAllowedInValues() {
        let head = requestHead("GET / HTTP/1.1\r\nHost: h\r\nX-A: a\tb\r\nX-B: caf\u{E9}\r\n\r\n")
        XCTAssertEqual(head?.headers, ["Host: h", "X-A: a\tb", "X-B: caf\u{E9}"])
    }

    func testMissingHostOnHTTP11Is400() {
        assertRequestFails("GET / HTTP/1.1\r\nX-A: b\r\n\r\n", .missingHost, status: 400)
        assertRequestFails("GET / HTTP/1.1\r\n\r\n", .missingHost, status: 400)
    }

    func testTwoHostsAre400() {
        assertRequestFails("GET / HTTP/1.1\r\nHost: a\r\nHost: a\r\n\r\n", .duplicateHost, status: 400)
        assertRequestFails("GET / HTTP/1.1\r\nHost: a\r\nhOST: b\r\n\r\n", .duplicateHost, status: 400)
        assertRequestFails("GET / HTTP/1.0\r\nHost: a\r\nHost: b\r\n\r\n", .duplicateHost, status: 400)
    }

    func testEmptyHostIsAccepted() {
        XCTAssertEqual(requestHead("GET / HTTP/1.1\r\nHost:\r\n\r\n")?.headers, ["Host: "])
    }

    func testHeadersBuiltByHand() {
        var headers = HTTPHeaders([("Content-Type", "text/plain"), ("X-A", "1"), ("x-a", "2")])
        XCTAssertEqual(headers.count, 3)
        XCTAssertEqual(headers.values("X-A"), ["1", "2"])
        headers.replace(name: "X-A", value: "3")
        XCTAssertEqual(headers.values("x-a"), ["3"])
        headers.remove(name: "content-type")
        XCTAssertFalse(headers.contains("Content-Type"))
        XCTAssertEqual(headers.map { "\($0.name)=\($0.value)" }, ["X-A=3"])
        XCTAssertTrue(HTTPHeaders().isEmpty)
        var raw: [String] = []
        headers.forEachRaw { name, value in
            raw.append(String(decoding: name, as: UTF8.self) + "|" + String(decoding: value, as: UTF8.self))
        }
        XCTAssertEqual(raw, ["X-A|3"])
    }
}
