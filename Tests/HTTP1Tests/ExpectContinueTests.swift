import XCTest
@testable import HTTP1

/// `Expect: 100-continue` is honoured on HTTP/1.1; any other expectation is 417.
final class ExpectContinueTests: XCTestCase {
    func testContinueIsSetOnHTTP11() {
        let head = requestHead("PUT /x HTTP/1.1\r\nHost: h\r\nExpect: 100-continue\r\nContent-Length: 3\r\n\r\n")
        XCTAssertEqual(head?.expectsContinue, true)
        XCTAssertEqual(head?.framing, .length(3))
    }

    func testContinueIsCaseInsensitive() {
        XCTAssertEqual(requestHead("PUT /x HTTP/1.1\r\nHost: h\r\nexpect: 100-Continue\r\n\r\n")?.expectsContinue, true)
    }

    func testNoExpectMeansNoContinue() {
        XCTAssertEqual(requestHead("PUT /x HTTP/1.1\r\nHost: h\r\nContent-Length: 3\r\n\r\n")?.expectsContinue, false)
    }

    func testHTTP10ContinueIsIgnored() {
        XCTAssertEqual(requestHead("PUT /x HTTP/1.0\r\nExpect: 100-continue\r\n\r\n")?.expectsContinue, false)
    }

    func testOtherExpectationsAre417() {
        for value in ["200-ok", "100-continue, foo", "", "100-continuex"] {
            assertRequestFails("PUT /x HTTP/1.1\r\nHost: h\r\nExpect: \(value)\r\n\r\n",
                               .unsupportedExpectation, status: 417)
        }
        assertRequestFails("PUT /x HTTP/1.0\r\nExpect: foo\r\n\r\n", .unsupportedExpectation, status: 417)
    }

    func testAnUnsupportedExpectationInASecondFieldIs417() {
        assertRequestFails("PUT /x HTTP/1.1\r\nHost: h\r\nExpect: 100-continue\r\nExpect: foo\r\n\r\n",
                           .unsupportedExpectation, status: 417)
    }
}
