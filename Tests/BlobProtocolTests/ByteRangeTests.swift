@testable import BlobProtocol
import XCTest

/// Every form of a single byte range, and the edges API.md names.
final class ByteRangeTests: XCTestCase {
    func testFirstLast() {
        XCTAssertEqual(ByteRange.parse("bytes=0-0", size: 10), .partial(start: 0, end: 0))
        XCTAssertEqual(ByteRange.parse("bytes=0-9", size: 10), .partial(start: 0, end: 9))
        XCTAssertEqual(ByteRange.parse("bytes=3-5", size: 10), .partial(start: 3, end: 5))
        XCTAssertEqual(ByteRange.parse("bytes=9-9", size: 10), .partial(start: 9, end: 9))
        XCTAssertEqual(ByteRange.parse("bytes=8-10", size: 10), .partial(start: 8, end: 9), "end clamped to size-1")
        XCTAssertEqual(ByteRange.parse("bytes=0-999999999999", size: 10), .partial(start: 0, end: 9))
        XCTAssertEqual(ByteRange.parse("bytes=10-20", size: 10), .unsatisfiable, "start at size")
        XCTAssertEqual(ByteRange.parse("bytes=5-4", size: 10), .unsatisfiable, "end before start")
    }

    func testOpenEnded() {
        XCTAssertEqual(ByteRange.parse("bytes=0-", size: 10), .partial(start: 0, end: 9))
        XCTAssertEqual(ByteRange.parse("bytes=9-", size: 10), .partial(start: 9, end: 9))
        XCTAssertEqual(ByteRange.parse("bytes=10-", size: 10), .unsatisfiable)
        XCTAssertEqual(ByteRange.parse("bytes=11-", size: 10), .unsatisfiable)
    }

    func testSuffix() {
        XCTAssertEqual(ByteRange.parse("bytes=-1", size: 10), .partial(start: 9, end: 9))
        XCTAssertEqual(ByteRange.parse("bytes=-10", size: 10), .partial(start: 0, end: 9))
        XCTAssertEqual(ByteRange.parse("bytes=-11", size: 10), .partial(start: 0, end: 9), "longer than the blob: all of it")
        XCTAssertEqual(ByteRange.parse("bytes=-0", size: 10), .unsatisfiable)
    }

    func testEmptyBlobSatisfiesNoRange() {
        for header in ["bytes=0-", "bytes=0-0", "bytes=-1", "bytes=-0", "bytes=5-"] {
            XCTAssertEqual(ByteRange.parse(header, size: 0), .unsatisfiable, header)
        }
    }

    func testMalformedIsUnsatisfiable() {
        for header in ["", "bytes", "bytes=", "bytes=-", "bytes=a-b", "bytes=1-b", "bytes=--1", "bytes=1--2", "bytes=1-2-3",
                       "bytes=+1-2", "bytes=0x1-2", "bytes=1.0-2", "items=0-1", "bytes 0-1", "bytes=99999999999999999999-",
                       "bytes=0-99999999999999999999", "bytes=1 - 2"] {
            XCTAssertEqual(ByteRange.parse(header, size: 10), .unsatisfiable, header.debugDescription)
        }
    }

    func testUnitIsCaseInsensitiveAndWhitespaceTolerated() {
        XCTAssertEqual(ByteRange.parse("Bytes=0-1", size: 10), .partial(start: 0, end: 1))
        XCTAssertEqual(ByteRange.parse("BYTES=-2", size: 10), .partial(start: 8, end: 9))
        XCTAssertEqual(ByteRange.parse("  bytes=2-3  ", size: 10), .partial(start: 2, end: 3))
    }

    /// Several ranges: RFC 9110 lets a server ignore Range, so the whole blob goes out with 200.
    func testMultipleRangesServeTheWholeBlob() {
        XCTAssertEqual(ByteRange.parse("bytes=0-1,3-4", size: 10), .full)
        XCTAssertEqual(ByteRange.parse("bytes=0-1, -2", size: 10), .full)
    }
}
