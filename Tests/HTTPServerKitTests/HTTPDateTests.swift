import HTTPServerKit
import XCTest

final class HTTPDateTests: XCTestCase {
    func testDateLineIsRFC9110AndCachedPerSecond() {
        let date = HTTPDate()
        let line = String(decoding: date.headerLine(now: 0), as: UTF8.self)
        XCTAssertEqual(line, "Date: Thu, 01 Jan 1970 00:00:00 GMT\r\n")
        XCTAssertEqual(date.headerLine(now: 0), date.headerLine(now: 0))
        XCTAssertNotEqual(date.headerLine(now: 1), date.headerLine(now: 0))
    }
}
