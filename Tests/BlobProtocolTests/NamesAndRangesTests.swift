@testable import BlobProtocol
import XCTest

final class NamesAndRangesTests: XCTestCase {
    func testNamesAreWhitelisted() {
        for good in ["a", "A-b_9", String(repeating: "x", count: 128)] { XCTAssertTrue(BlobName.isValid(good), good) }
        for bad in ["", ".", "..", "a/b", "a%2Fb", "a b", "a\u{0}b", "é", String(repeating: "x", count: 129), ".hidden", "a.flags"] {
            XCTAssertFalse(BlobName.isValid(bad), bad.debugDescription)
            XCTAssertThrowsError(try BlobName(validating: bad, kind: .id))
        }
    }

    func testRanges() {
        XCTAssertEqual(ByteRange.parse("bytes=0-4", size: 10), .partial(start: 0, end: 4))
        XCTAssertEqual(ByteRange.parse("bytes=5-", size: 10), .partial(start: 5, end: 9))
        XCTAssertEqual(ByteRange.parse("bytes=-3", size: 10), .partial(start: 7, end: 9))
        XCTAssertEqual(ByteRange.parse("bytes=-30", size: 10), .partial(start: 0, end: 9))
        XCTAssertEqual(ByteRange.parse("bytes=8-99", size: 10), .partial(start: 8, end: 9))
        XCTAssertEqual(ByteRange.parse("bytes=10-", size: 10), .unsatisfiable)
        XCTAssertEqual(ByteRange.parse("bytes=4-2", size: 10), .unsatisfiable)
        XCTAssertEqual(ByteRange.parse("bytes=-0", size: 10), .unsatisfiable)
        XCTAssertEqual(ByteRange.parse("bytes=0-0", size: 0), .unsatisfiable)
        XCTAssertEqual(ByteRange.parse("items=0-1", size: 10), .unsatisfiable)
        XCTAssertEqual(ByteRange.parse("bytes=a-b", size: 10), .unsatisfiable)
        XCTAssertEqual(ByteRange.parse("bytes=-", size: 10), .unsatisfiable)
        XCTAssertEqual(ByteRange.parse("bytes=0-1,3-4", size: 10), .full)
        XCTAssertEqual(ByteRange.parse("bytes=99999999999999999999-", size: 10), .unsatisfiable)
    }

    func testTagIsURLSafeBase64() {
        XCTAssertEqual(Base64URL.encode(Array("abc".utf8)), "YWJj")
        XCTAssertEqual(Base64URL.encode([0xFB, 0xFF, 0xBF]), "-_-_")
        XCTAssertEqual(Base64URL.encode([UInt8](repeating: 0xFF, count: 16)).count, 24)
        XCTAssertEqual(Base64URL.encode(Array("a".utf8)), "YQ==")
        // RFC 4648 section 10's vectors, every padding length.
        let vectors = ["": "", "f": "Zg==", "fo": "Zm8=", "foo": "Zm9v", "foob": "Zm9vYg==", "fooba": "Zm9vYmE=", "foobar": "Zm9vYmFy"]
        for (plain, encoded) in vectors {
            XCTAssertEqual(Base64URL.encode(Array(plain.utf8)), encoded, plain)
            XCTAssertEqual(Base64URL.encode(Array(plain.utf8)[...]), encoded, "from a slice: \(plain)")
        }
        XCTAssertEqual(Base64URL.encode([0x00, 0x10, 0x83, 0x10, 0x51, 0x87, 0x20, 0x92, 0x8B, 0x30, 0xD3, 0x8F,
                                         0x41, 0x14, 0x93, 0x51, 0x55, 0x97, 0x61, 0x96, 0x9B, 0x71, 0xD7, 0x9F,
                                         0x82, 0x18, 0xA3, 0x92, 0x59, 0xA7, 0xA2, 0x9A, 0xAB, 0xB2, 0xDB, 0xAF,
                                         0xC3, 0x1C, 0xB3, 0xD3, 0x5D, 0xB7, 0xE3, 0x9E, 0xBB, 0xF3, 0xDF, 0xBF]),
                       "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_", "every symbol, in order")
    }

    func testFlagListAndStreamManifest() throws {
        XCTAssertEqual(try FlagList.parse(Array(#" [ "PENDING" ,"FAILED"] "#.utf8)), ["PENDING", "FAILED"])
        XCTAssertEqual(try FlagList.parse(Array("[]".utf8)), [])
        for bad in ["", "[", "[1]", #"{"a": 1}"#, #"["a",]"#, #"["a"] x"#, "[[[[[[[[[[]]]]]]]]]]", #""x""#] {
            XCTAssertThrowsError(try FlagList.parse(Array(bad.utf8)), bad)
        }
        XCTAssertEqual(String(decoding: FlagList.encode(["PENDING", "PROCESSED"]), as: UTF8.self), #"["PENDING", "PROCESSED"]"#)
        XCTAssertEqual(try FlagList.parse(FlagList.encode(["a\"b", "c\\d", "e\u{1}"])), ["a\"b", "c\\d", "e\u{1}"], "escapes round-trip")
        let manifest = try StreamManifest(parsing: Array(#"[["a", 5], ["b", 0]]"#.utf8), maxBody: 10)
        XCTAssertEqual(manifest.entries.map(\.id.value), ["a", "b"])
        XCTAssertEqual(manifest.entries.map(\.size), [5, 0])
        for bad in [#"[["a", 11]]"#, #"[["a", -1]]"#, #"[["a"]]"#, #"[["a", 1, 2]]"#, #"[[1, "a"]]"#, #"[["a/b", 1]]"#,
                    #"[["a", 1.5]]"#, #"{"a": 1}"#, #"[["a", 1]] x"#] {
            XCTAssertThrowsError(try StreamManifest(parsing: Array(bad.utf8), maxBody: 10), bad)
        }
    }

    func testRoutesAndQueries() {
        XCTAssertEqual(BlobRoute(path: "/"), .baseline)
        XCTAssertEqual(BlobRoute(path: "/healthcheck"), .healthcheck)
        XCTAssertEqual(BlobRoute(path: "/blobs/u/"), .list(user: "u"))
        XCTAssertEqual(BlobRoute(path: "/blobs/u"), .list(user: "u"))
        XCTAssertEqual(BlobRoute(path: "/blobs/u/b1"), .blob(user: "u", id: "b1"))
        XCTAssertEqual(BlobRoute(path: "/blobs/u/a%2Fb"), .blob(user: "u", id: "a/b"), "decoded, then refused by BlobName")
        XCTAssertEqual(BlobRoute(path: "/blobs/u/.."), .badPath)
        XCTAssertEqual(BlobRoute(path: "/blobs/u/%zz"), .badPath)
        XCTAssertEqual(BlobRoute(path: "/stream/u"), .stream(user: "u"))
        XCTAssertEqual(BlobRoute(path: "/stream/u/"), .stream(user: "u"), "Soledad's own route has the slash")
        XCTAssertEqual(BlobRoute(path: "/stream/u/x"), .notFound)
        XCTAssertEqual(BlobRoute(path: "/elsewhere"), .notFound)
        let query = QueryParameters("only_flags=True&deleted=0&namespace=ns%2D1&order_by=%2Bdate&empty=")
        XCTAssertTrue(query.flag("only_flags"))
        XCTAssertFalse(query.flag("deleted"))
        XCTAssertFalse(query.flag("empty"))
        XCTAssertFalse(query.flag("absent"))
        XCTAssertEqual(query["namespace"], "ns-1")
        XCTAssertEqual(query["order_by"], "+date")
    }
}
