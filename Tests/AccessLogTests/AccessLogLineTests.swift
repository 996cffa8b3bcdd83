import AccessLog
import EventCore
import Foundation
import HTTP1
import HTTPServerKit
import Logging
import XCTest

/// Whole lines as the observer writes them, with a fake writer: the
/// combined format plus the request time, hostile fields escaped and cut,
/// the metrics observer still told of every request.
final class AccessLogLineTests: XCTestCase {
    private var base: EventBase!
    private var writer: FakeLogWriter!
    private var log: AccessLog!
    private let logger = Logger(label: "test")

    /// The format documented in README, field by field.
    static let combined = try! NSRegularExpression(pattern:
        #"^(\S+) - - \[(\d{2}/[A-Z][a-z]{2}/\d{4}:\d{2}:\d{2}:\d{2} \+0000)\] "([^"]*)" (\d{3}) (\d+|-) "([^"]*)" "([^"]*)" (\d+\.\d{3})$"#)

    static func fields(_ line: String) -> [String]? {
        let range = NSRange(line.startIndex..., in: line)
        guard let match = combined.firstMatch(in: line, range: range) else { return nil }
        return (1..<match.numberOfRanges).map { String(line[Range(match.range(at: $0), in: line)!]) }
    }

    override func setUpWithError() throws {
        base = try EventBase()
        writer = FakeLogWriter()
    }

    override func tearDown() {
        log?.close()
        base.close()
    }

    private func makeLog(next: HTTPServerObserver? = nil) {
        log = AccessLog(writer: writer, base: base, logger: logger, next: next)
    }

    private func head(_ method: HTTPMethod = .GET, _ target: String, _ headers: [(String, String)] = [],
                      version: HTTPVersion = .http11) -> RequestHead {
        RequestHead(method: method, target: target, version: version, headers: HTTPHeaders(headers))
    }

    func testAnAnsweredRequestIsOneCombinedLine() throws {
        makeLog()
        let request = log.requestBegan(head(.GET, "/blobs/u/abc", [("User-Agent", "curl/7.88"), ("Referer", "http://x/")]),
                                       from: "127.0.0.1")
        log.answered(request, status: 200, bodyBytesReceived: 0, bodyBytesSent: 10240)
        XCTAssertEqual(writer.writes.count, 0, "batched, not written per request")
        log.batch.flush()
        XCTAssertEqual(writer.lines.count, 1)
        let fields = try XCTUnwrap(Self.fields(writer.lines[0]), writer.lines[0])
        XCTAssertEqual(fields[0], "127.0.0.1")
        XCTAssertEqual(fields[2], "GET /blobs/u/abc HTTP/1.1")
        XCTAssertEqual(Array(fields[3...6]), ["200", "10240", "http://x/", "curl/7.88"])
        XCTAssertEqual(Double(fields[7])!, 0, accuracy: 0.5)
    }

    func testMissingFieldsAreDashesAndHeaderNamesIgnoreCase() throws {
        makeLog()
        let plain = log.requestBegan(head(.PUT, "/blobs/u/1", version: .http10), from: "10.0.0.2")
        log.answered(plain, status: 201, bodyBytesReceived: 5, bodyBytesSent: 0)
        let lower = log.requestBegan(head(.HEAD, "/", [("user-agent", "ua"), ("REFERER", "r")]), from: "10.0.0.3")
        log.answered(lower, status: 200, bodyBytesReceived: 0, bodyBytesSent: 0)
        let listing = log.requestBegan(head(.GET, "/blobs/u/"), from: "10.0.0.4")
        log.answered(listing, status: 200, bodyBytesReceived: 0, bodyBytesSent: nil)
        log.batch.flush()
        let lines = writer.lines.map { Self.fields($0) }
        XCTAssertEqual(lines[0]?[2], "PUT /blobs/u/1 HTTP/1.0")
        XCTAssertEqual(lines[0].map { Array($0[3...6]) }, ["201", "0", "-", "-"])
        XCTAssertEqual(lines[1].map { Array($0[2...6]) }, ["HEAD / HTTP/1.1", "200", "0", "r", "ua"])
        XCTAssertEqual(lines[2]?[4], "-", "a produced body of unknown length")
    }

    func testHostileFieldsAreEscapedAndCut() throws {
        makeLog()
        let agent = String(repeating: "A", count: 100_000)
        let hostile = "evil\"\\\u{7f}\u{1b}[31m é"
        let request = log.requestBegan(
            head(.other("BR\"EW"), "/a\"b", [("User-Agent", agent), ("Referer", hostile)]), from: "127.0.0.1")
        log.answered(request, status: 404, bodyBytesReceived: 0, bodyBytesSent: 9)
        log.batch.flush()
        let line = writer.lines[0]
        XCTAssertTrue(line.allSatisfy { $0.isASCII && ($0 == " " || !$0.isWhitespace) && $0.asciiValue! >= 0x20 })
        XCTAssertLessThan(line.utf8.count, 3 * AccessLogText.fieldLimit)
        let fields = try XCTUnwrap(Self.fields(line), line)
        XCTAssertEqual(fields[2], #"BR\x22EW /a\x22b HTTP/1.1"#)
        XCTAssertEqual(fields[5], #"evil\x22\x5C\x7F\x1B[31m \xC3\xA9"#)
        XCTAssertEqual(fields[6].utf8.count, AccessLogText.fieldLimit)
        XCTAssertTrue(fields[6].hasSuffix("AAA..."))
    }

    func testAHeadThatNeverParsedKeepsThePeer() throws {
        makeLog()
        let noted = log.headFailed(from: "192.0.2.7")
        log.answered(noted, status: 400, bodyBytesReceived: 0, bodyBytesSent: 20)
        log.answered(nil, status: 408, bodyBytesReceived: 0, bodyBytesSent: 30)
        log.batch.flush()
        let first = try XCTUnwrap(Self.fields(writer.lines[0]), writer.lines[0])
        XCTAssertEqual(first[0], "192.0.2.7")
        XCTAssertEqual(Array(first[2...7]), ["-", "400", "20", "-", "-", "0.000"])
        let second = try XCTUnwrap(Self.fields(writer.lines[1]), writer.lines[1])
        XCTAssertEqual(Array(second[0...0] + second[2...4]), ["-", "-", "408", "30"])
    }

    func testAnAbandonedRequestIsLoggedAs499() throws {
        makeLog()
        let upload = log.requestBegan(head(.PUT, "/blobs/u/big"), from: "127.0.0.1")
        log.abandoned(upload)
        log.batch.flush()
        XCTAssertEqual(Self.fields(writer.lines[0]).map { Array($0[2...4]) }, ["PUT /blobs/u/big HTTP/1.1", "499", "0"])
    }

    func testSlotsAreReusedSoInterleavedRequestsKeepTheirOwnLines() throws {
        makeLog()
        let first = log.requestBegan(head(.GET, "/one"), from: "10.0.0.1")
        let second = log.requestBegan(head(.GET, "/two"), from: "10.0.0.2")
        log.answered(second, status: 404, bodyBytesReceived: 0, bodyBytesSent: 2)
        let third = log.requestBegan(head(.GET, "/three"), from: "10.0.0.3")
        log.answered(first, status: 200, bodyBytesReceived: 0, bodyBytesSent: 1)
        log.answered(third, status: 200, bodyBytesReceived: 0, bodyBytesSent: 3)
        XCTAssertEqual(third.slot, second.slot, "a freed slot is taken again")
        log.batch.flush()
        XCTAssertEqual(writer.lines.compactMap { Self.fields($0).map { "\($0[0]) \($0[2]) \($0[4])" } },
                       ["10.0.0.2 GET /two HTTP/1.1 2", "10.0.0.1 GET /one HTTP/1.1 1", "10.0.0.3 GET /three HTTP/1.1 3"])
    }

    func testTheNextObserverSeesEveryRequestAsWithoutTheLog() {
        let metrics = RecordingObserver()
        makeLog(next: metrics)
        let request = log.requestBegan(head(.GET, "/"), from: "127.0.0.1")
        XCTAssertEqual(request.labels, 42, "the metrics' own labels travel on")
        log.answered(request, status: 200, bodyBytesReceived: 1, bodyBytesSent: 2)
        log.producedBodyBytes(7)
        log.answered(log.headFailed(from: "127.0.0.1"), status: 400, bodyBytesReceived: 0, bodyBytesSent: 3)
        log.abandoned(log.requestBegan(head(.PUT, "/x"), from: "127.0.0.1"))
        XCTAssertEqual(metrics.events, ["began /", "answered 42 200", "produced 7", "answered nil 400", "began /x", "abandoned 42"])
    }

    func testTheTimerWritesWithinASecondAndAHalf() throws {
        makeLog()
        log.answered(log.requestBegan(head(.GET, "/"), from: "127.0.0.1"), status: 200, bodyBytesReceived: 0, bodyBytesSent: 1)
        let stop = LoopEvent.timer(base: base, repeating: false) { [base] in base!.stop() }
        stop.add(after: AccessLog.flushInterval + 0.5)
        let started = Date()
        base.run()
        stop.close()
        XCTAssertEqual(writer.lines.count, 1, "the timer flushed the batch")
        XCTAssertGreaterThanOrEqual(Date().timeIntervalSince(started), AccessLog.flushInterval)
    }
}

/// The metrics' stand-in: records what it is told.
final class RecordingObserver: HTTPServerObserver {
    var events: [String] = []

    func requestBegan(_ head: RequestHead, from peer: String) -> ObservedRequest {
        events.append("began \(head.target)")
        return ObservedRequest(labels: 42, startedAt: 0)
    }

    func answered(_ request: ObservedRequest?, status: Int, bodyBytesReceived: Int, bodyBytesSent: Int?) {
        events.append("answered \(request.map { String($0.labels) } ?? "nil") \(status)")
    }

    func producedBodyBytes(_ count: Int) { events.append("produced \(count)") }

    func abandoned(_ request: ObservedRequest) { events.append("abandoned \(request.labels)") }
}
