import XCTest
@testable import HTTP1

/// Each parse error maps to the status a server answers with.
final class ParseErrorTests: XCTestCase {
    func testStatusOfEveryError() {
        let table: [(HTTPParseError, Int)] = [
            (.badRequestLine, 400), (.requestLineTooLong, 414), (.unsupportedVersion, 505),
            (.badHeaderField, 400), (.obsoleteLineFolding, 400), (.spaceBeforeColon, 400),
            (.bareCarriageReturn, 400), (.headTooLarge, 431), (.tooManyHeaders, 431), (.missingHost, 400),
            (.duplicateHost, 400), (.badContentLength, 400), (.duplicateContentLength, 400),
            (.contentLengthWithTransferEncoding, 400), (.badTransferEncoding, 400),
            (.unsupportedTransferCoding, 501), (.badChunk, 400), (.chunkSizeOverflow, 400),
            (.bodyTooLarge, 413), (.unsupportedExpectation, 417), (.badStatusLine, 400), (.truncated, 400),
        ]
        for (error, status) in table {
            XCTAssertEqual(error.status, status, "\(error)")
        }
        let reasons = table.map { $0.0.reason }
        XCTAssertEqual(Set(reasons).count, table.count, "every reason is distinct")
        XCTAssertTrue(reasons.allSatisfy { !$0.isEmpty && !$0.contains("\n") })
    }
}
