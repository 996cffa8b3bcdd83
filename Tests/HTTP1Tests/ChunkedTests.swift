import XCTest
@testable import HTTP1

/// The chunked coding: sizes, extensions, the CRLF after data, trailers.
final class ChunkedTests: XCTestCase {
    private let chunkedHead = "POST /up HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\n"

    private func body(_ chunks: String, limits: HTTPLimits = .default) -> [RequestEvent] {
        Array(ParserDriver.requests(bytes(chunkedHead + chunks), limits: limits).dropFirst())
    }

    func testChunksAreJoined() {
        XCTAssertEqual(body("5\r\nhello\r\n1\r\n \r\n6\r\nworld!\r\n0\r\n\r\n"), [.body(bytes("hello world!")), .end])
    }

    func testHexSizesInEitherCase() {
        let ten = String(repeating: "x", count: 10)
        XCTAssertEqual(body("A\r\n\(ten)\r\na\r\n\(ten)\r\n0\r\n\r\n"), [.body(bytes(ten + ten)), .end])
        let big = String(repeating: "y", count: 0x1F)
        XCTAssertEqual(body("1f\r\n\(big)\r\n0\r\n\r\n"), [.body(bytes(big)), .end])
    }

    func testLeadingZerosInSize() {
        XCTAssertEqual(body("0005\r\nhello\r\n000\r\n\r\n"), [.body(bytes("hello")), .end])
    }

    func testEmptyBody() {
        XCTAssertEqual(body("0\r\n\r\n"), [.end])
    }

    func testChunkedEndsAndTheNextRequestFollows() {
        let events = ParserDriver.requests(bytes(chunkedHead + "2\r\nhi\r\n0\r\n\r\nGET /next HTTP/1.1\r\nHost: h\r\n\r\n"))
        XCTAssertEqual(events.count, 5)
        guard case .head(let next) = events[3] else { return XCTFail("\(events)") }
        XCTAssertEqual(next.target, "/next")
        XCTAssertEqual(events[4], .end)
    }

    func testValidExtensionsAreSkipped() {
        for ext in [";a", ";a=b", "; a = b ", ";a=\"quoted \\\" ; value\"", ";a;b=c;d=\"\"", " ;a", "\t;a=1"] {
            XCTAssertEqual(body("5\(ext)\r\nhello\r\n0\(ext)\r\n\r\n"), [.body(bytes("hello")), .end], ext)
        }
    }

    func testBadExtensionsAre400() {
        for ext in [";", ";=b", ";a=", ";a=\"open", ";a=b c", "x", ";a=b;", ";a\u{0}", ";a=\"x\u{0}\"", ";a@b",
                    ";a=\"x\"y"] {
            let events = body("5\(ext)\r\nhello\r\n0\r\n\r\n")
            XCTAssertEqual(events, [.error(.badChunk)], ext.debugDescription)
        }
        XCTAssertEqual(HTTPParseError.badChunk.status, 400)
    }

    func testMalformedSizesAre400() {
        for size in ["", " 5", "-1", "0x5", "g", "+5", "5 5"] {
            XCTAssertEqual(body("\(size)\r\nhello\r\n0\r\n\r\n"), [.error(.badChunk)], size.debugDescription)
        }
    }

    func testChunkSizeOverflow() {
        for size in [String(repeating: "f", count: 17), String(repeating: "f", count: 16), "8000000000000000",
                     "10000000000000005"] {
            XCTAssertEqual(body("\(size)\r\nhello\r\n0\r\n\r\n"), [.error(.chunkSizeOverflow)], size)
        }
        XCTAssertEqual(HTTPParseError.chunkSizeOverflow.status, 400)
    }

    func testLargestChunkSizeIsAcceptedAndWaitsForData() {
        // Int.max fits: the parser starts the chunk and waits for its bytes.
        XCTAssertEqual(body("7fffffffffffffff\r\nhello"), [.body(bytes("hello"))])
    }

    func testMissingCRLFAfterChunkDataIs400() {
        XCTAssertEqual(body("5\r\nhelloX\r\n0\r\n\r\n"), [.body(bytes("hello")), .error(.badChunk)])
        XCTAssertEqual(body("5\r\nhello\n0\r\n\r\n"), [.body(bytes("hello")), .error(.badChunk)])
        XCTAssertEqual(body("5\r\nhello\rX0\r\n\r\n"), [.body(bytes("hello")), .error(.badChunk)])
        XCTAssertEqual(body("5\r\nhello0\r\n\r\n"), [.body(bytes("hello")), .error(.badChunk)])
        XCTAssertEqual(body("3\r\nhello\r\n0\r\n\r\n"), [.body(bytes("hel")), .error(.badChunk)])
    }

    func testBareLFAfterSizeIs400() {
        XCTAssertEqual(body("5\nhello\r\n0\r\n\r\n"), [.error(.badChunk)])
        XCTAssertEqual(body("5\r\nhello\r\n0\n\r\n"), [.body(bytes("hello")), .error(.badChunk)])
    }

    func testTrailersAreAcceptedAndDropped() {
        XCTAssertEqual(body("2\r\nhi\r\n0\r\nX-Checksum: abc\r\nX-Other:\r\n\r\n"), [.body(bytes("hi")), .end])
    }

    func testMalformedTrailersAre400() {
        let cases: [(String, HTTPParseError)] = [
            ("X-A: a\r\n b\r\n", .obsoleteLineFolding),
            (" X-A: a\r\n", .obsoleteLineFolding),
            ("X-A : a\r\n", .spaceBeforeColon),
            ("X-A: a\0\r\n", .badHeaderField),
            ("NoColon\r\n", .badHeaderField),
            (": v\r\n", .badHeaderField),
            ("X-A: a\rb\r\n", .bareCarriageReturn),
            ("X-A: a\n", .badChunk),
        ]
        for (trailer, error) in cases {
            let events = body("2\r\nhi\r\n0\r\n\(trailer)\r\n")
            XCTAssertEqual(events, [.body(bytes("hi")), .error(error)], trailer.debugDescription)
            XCTAssertEqual(error.status, 400)
        }
    }

    func testChunkedBodyOverTheLimitIs413MidBody() {
        let limits = HTTPLimits(maxBodyBytes: 8)
        XCTAssertEqual(body("5\r\nhello\r\n3\r\nabc\r\n0\r\n\r\n", limits: limits), [.body(bytes("helloabc")), .end])
        let events = body("5\r\nhello\r\n4\r\nabcd\r\n0\r\n\r\n", limits: limits)
        XCTAssertEqual(events, [.body(bytes("hello")), .error(.bodyTooLarge)])
        XCTAssertEqual(HTTPParseError.bodyTooLarge.status, 413)
        // The head itself was accepted: the limit is found as the body comes.
        let all = ParserDriver.requests(bytes(chunkedHead + "9\r\n"), limits: limits)
        guard case .head? = all.first else { return XCTFail("\(all)") }
        XCTAssertEqual(all.last, .error(.bodyTooLarge))
    }

    func testChunkSizeLineTooLongIs400() {
        let limits = HTTPLimits(maxChunkLine: 8)
        // maxChunkLine bounds the line without its CRLF.
        XCTAssertEqual(body("5;a=bcde\r\nhello\r\n0\r\n\r\n", limits: limits), [.body(bytes("hello")), .end])
        XCTAssertEqual(body("5;a=bcdef\r\nhello\r\n0\r\n\r\n", limits: limits), [.error(.badChunk)])
        XCTAssertEqual(body("5;a=bcdefghijk", limits: limits), [.error(.badChunk)])
    }

    func testTrailersOverTheHeadLimitAre431() {
        let limits = HTTPLimits(maxHeadBytes: 80)
        XCTAssertEqual(body("0\r\nX-A: " + String(repeating: "a", count: 60) + "\r\n\r\n", limits: limits), [.end])
        let events = body("0\r\nX-A: " + String(repeating: "a", count: 40) + "\r\nX-B: "
                          + String(repeating: "b", count: 40) + "\r\n\r\n", limits: limits)
        XCTAssertEqual(events, [.error(.headTooLarge)])
    }
}
