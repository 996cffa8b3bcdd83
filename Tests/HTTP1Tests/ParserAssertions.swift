import XCTest
@testable import HTTP1

/// The bytes of `text`. Tests spell every CR and LF explicitly.
func bytes(_ text: String) -> [UInt8] { Array(text.utf8) }

/// Asserts that feeding `bytes` whole, one byte at a time, and split at every
/// single offset gives the same events. Returns the events of the whole run.
@discardableResult
func assertRequestsIncremental(
    _ bytes: [UInt8], limits: HTTPLimits = .default, file: StaticString = #filePath, line: UInt = #line
) -> [RequestEvent] {
    let whole = ParserDriver.requests(bytes, limits: limits, finish: true, file: file, line: line)
    let bytewise = ParserDriver.requests(bytes, splits: Array(0...bytes.count), limits: limits, finish: true,
                                         file: file, line: line)
    XCTAssertEqual(bytewise, whole, "byte at a time differs from whole", file: file, line: line)
    for split in 1..<max(bytes.count, 1) {
        let parts = ParserDriver.requests(bytes, splits: [split], limits: limits, finish: true, file: file, line: line)
        if parts != whole {
            XCTFail("split at \(split) gives \(parts), whole gives \(whole)", file: file, line: line)
            break
        }
    }
    return whole
}

@discardableResult
func assertResponsesIncremental(
    _ bytes: [UInt8], limits: HTTPLimits = .default, toHead: Bool = false,
    file: StaticString = #filePath, line: UInt = #line
) -> [ResponseEvent] {
    let whole = ParserDriver.responses(bytes, limits: limits, toHead: toHead, finish: true, file: file, line: line)
    let bytewise = ParserDriver.responses(bytes, splits: Array(0...bytes.count), limits: limits, toHead: toHead,
                                          finish: true, file: file, line: line)
    XCTAssertEqual(bytewise, whole, "byte at a time differs from whole", file: file, line: line)
    for split in 1..<max(bytes.count, 1) {
        let parts = ParserDriver.responses(bytes, splits: [split], limits: limits, toHead: toHead, finish: true,
                                           file: file, line: line)
        if parts != whole {
            XCTFail("split at \(split) gives \(parts), whole gives \(whole)", file: file, line: line)
            break
        }
    }
    return whole
}

/// Parses one request (no finish) and returns its error, or nil.
func requestError(_ text: String, limits: HTTPLimits = .default) -> HTTPParseError? {
    ParserDriver.requests(bytes(text), limits: limits).last?.error
}

/// Parses a request that should succeed and returns its head.
func requestHead(
    _ text: String, limits: HTTPLimits = .default, file: StaticString = #filePath, line: UInt = #line
) -> RequestSummary? {
    let events = ParserDriver.requests(bytes(text), limits: limits, file: file, line: line)
    guard case .head(let head)? = events.first else {
        XCTFail("no head: \(events)", file: file, line: line)
        return nil
    }
    return head
}

/// Asserts that a request fails with `error`, and that the error maps to `status`.
func assertRequestFails(
    _ text: String, _ error: HTTPParseError, status: Int, limits: HTTPLimits = .default,
    file: StaticString = #filePath, line: UInt = #line
) {
    let events = ParserDriver.requests(bytes(text), limits: limits, file: file, line: line)
    XCTAssertEqual(events.last?.error, error, "events: \(events)", file: file, line: line)
    XCTAssertEqual(error.status, status, file: file, line: line)
}

/// The request prefix most tests build on.
let getHead = "GET / HTTP/1.1\r\nHost: example\r\n"
