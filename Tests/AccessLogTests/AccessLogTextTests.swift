import AccessLog
import XCTest

/// nginx's escaping and the bounded copy of what a client sends.
final class AccessLogTextTests: XCTestCase {
    private func escaped(_ bytes: [UInt8], limit: Int = AccessLogText.fieldLimit) -> String {
        var line: [UInt8] = []
        bytes.withUnsafeBytes { AccessLogText.appendEscaped($0, to: &line, limit: limit) }
        return String(decoding: line, as: UTF8.self)
    }

    func testPrintableASCIIIsCopied() {
        XCTAssertEqual(escaped(Array("curl/7.88 (x86_64) ~{}".utf8)), "curl/7.88 (x86_64) ~{}")
    }

    func testQuotesBackslashesControlAndHighBytesBecomeHexEscapes() {
        XCTAssertEqual(escaped(Array(#"a"b\c"#.utf8)), #"a\x22b\x5Cc"#)
        XCTAssertEqual(escaped([0x00, 0x09, 0x0A, 0x0D, 0x1F, 0x7F, 0x80, 0xFF]), #"\x00\x09\x0A\x0D\x1F\x7F\x80\xFF"#)
        XCTAssertEqual(escaped(Array("é".utf8)), #"\xC3\xA9"#)
        XCTAssertEqual(escaped([]), "")
    }

    func testALongFieldIsCutWithAMark() {
        let long = escaped(Array(repeating: UInt8(ascii: "a"), count: 10_000))
        XCTAssertEqual(long.utf8.count, AccessLogText.fieldLimit)
        XCTAssertTrue(long.hasSuffix("a..."))
        XCTAssertEqual(escaped(Array("abcdef".utf8), limit: 6), "abcdef", "one that just fits is whole")
        XCTAssertEqual(escaped(Array("abcdefg".utf8), limit: 6), "abc...")
    }

    func testACutNeverSplitsAnEscape() {
        // Each hostile byte takes four: 4 + 3 fit in 9, not 8.
        XCTAssertEqual(escaped([0x01, 0x01, 0x01, 0x01], limit: 9), #"\x01..."#)
        XCTAssertEqual(escaped([0x01, 0x01, 0x01, 0x01], limit: 10), #"\x01..."#)
        XCTAssertEqual(escaped([0x01, 0x01, 0x01, 0x01], limit: 16), #"\x01\x01\x01\x01"#)
        XCTAssertEqual(escaped([UInt8](repeating: 0xFF, count: 5000)).utf8.count, AccessLogText.fieldLimit - 1,
                       "511 escapes of four and the mark: 2,047 bytes, no split escape")
    }

    func testNumbers() {
        func decimal(_ value: Int) -> String {
            var line: [UInt8] = []
            AccessLogText.appendDecimal(value, to: &line)
            return String(decoding: line, as: UTF8.self)
        }
        func seconds(_ milliseconds: Int) -> String {
            var line: [UInt8] = []
            AccessLogText.appendSeconds(milliseconds: milliseconds, to: &line)
            return String(decoding: line, as: UTF8.self)
        }
        XCTAssertEqual(decimal(0), "0")
        XCTAssertEqual(decimal(10240), "10240")
        XCTAssertEqual(decimal(Int.max), String(Int.max))
        XCTAssertEqual(decimal(-5), "0")
        XCTAssertEqual(seconds(0), "0.000")
        XCTAssertEqual(seconds(1), "0.001")
        XCTAssertEqual(seconds(12_345), "12.345")
        XCTAssertEqual(seconds(1000), "1.000")
    }
}
