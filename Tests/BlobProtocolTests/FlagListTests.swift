@testable import BlobProtocol
import XCTest

/// The flags file and POST body: a JSON list of strings, nothing else.
final class FlagListTests: XCTestCase {
    private func parse(_ text: String) throws -> [String] { try FlagList.parse(Array(text.utf8)) }

    func testSoledadsOwnOutput() throws {
        XCTAssertEqual(try parse(#"["PENDING"]"#), ["PENDING"])
        XCTAssertEqual(try parse(#"["PENDING", "PROCESSING"]"#), ["PENDING", "PROCESSING"])
        XCTAssertEqual(try parse("[]"), [])
    }

    func testAnyWhitespace() throws {
        XCTAssertEqual(try parse(" \t\r\n[ \n\"FAILED\"\t,\r\n \"PROCESSED\" ] \n"), ["FAILED", "PROCESSED"])
        XCTAssertEqual(try parse("[ ]"), [])
    }

    func testEscapes() throws {
        XCTAssertEqual(try parse(#"["PEN\u0044ING"]"#), ["PENDING"])
        XCTAssertEqual(try parse(#"["a\"b", "c\\d", "e\/f", "\b\f\n\r\t"]"#), ["a\"b", "c\\d", "e/f", "\u{8}\u{C}\n\r\t"])
        XCTAssertEqual(try parse(#"["\u00e9\u65E5", "\ud83d\ude00"]"#), ["é日", "😀"])
        XCTAssertEqual(try parse(#"["é"]"#), ["é"], "raw UTF-8 passes through")
    }

    func testRefused() {
        let bad = ["", " ", "[", "]", "[,]", #"["a",]"#, #"[,"a"]"#, #"["a" "b"]"#, #"["a"] x"#, #"["a"]]"#, #""PENDING""#,
                   "[1]", "[true]", "[null]", #"[["a"]]"#, #"{"a": "b"}"#, #"['a']"#, #"["a]"#, #"["\x"]"#, #"["\u12"]"#,
                   #"["\uZZZZ"]"#, #"["\ud83d"]"#, #"["\ud83dx"]"#, #"["\ude00"]"#, "[\"a\u{1}\"]", "[\"a\nb\"]", "null"]
        for text in bad {
            XCTAssertThrowsError(try parse(text), text.debugDescription) { XCTAssertEqual($0 as? WireFormatError, FlagList.notAList) }
        }
    }

    func testEncodeMatchesPythonsJSONDumpsAndRoundTrips() throws {
        XCTAssertEqual(String(decoding: FlagList.encode([]), as: UTF8.self), "[]")
        XCTAssertEqual(String(decoding: FlagList.encode(["PENDING"]), as: UTF8.self), #"["PENDING"]"#)
        XCTAssertEqual(String(decoding: FlagList.encode(["PENDING", "FAILED"]), as: UTF8.self), #"["PENDING", "FAILED"]"#)
        let odd = ["a\"b", "c\\d", "\u{1}\n", "é"]
        XCTAssertEqual(try FlagList.parse(FlagList.encode(odd)), odd)
    }

    func testKnownFlags() {
        XCTAssertEqual(FlagList.known, ["PENDING", "PROCESSING", "PROCESSED", "FAILED"])
    }
}
