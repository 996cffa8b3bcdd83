@testable import BalancerKit
import ClusterControl
import EventCore
import HTTP1
import Logging
import XCTest

final class BalancerPartsTests: XCTestCase {
    private let a = SocketAddress(host: "127.0.0.1", port: 8001)
    private let b = SocketAddress(host: "127.0.0.1", port: 8002)
    private let c = SocketAddress(host: "127.0.0.1", port: 8003)

    func testRoundRobinSkipsDownDrainingAndExcluded() {
        var pool = BackendPool(addresses: [a, b, c], rise: 2, fall: 3)
        XCTAssertEqual((0..<6).compactMap { _ in pool.next() }, [a, b, c, a, b, c])
        pool.markDown(b)
        XCTAssertEqual((0..<4).compactMap { _ in pool.next() }, [a, c, a, c])
        pool.drain(c)
        XCTAssertEqual(pool.next(), a)
        XCTAssertNil(pool.next(excluding: [a]))
        pool.add(b)
        pool.remove(a)
        XCTAssertEqual(pool.next(), b)
        XCTAssertEqual(pool.upCount, 1)
    }

    func testHealthNeedsRiseSuccessesAndFallFailures() {
        var pool = BackendPool(addresses: [a], rise: 2, fall: 3)
        XCTAssertNil(pool.record(check: false, for: a))
        XCTAssertNil(pool.record(check: false, for: a))
        XCTAssertEqual(pool.record(check: false, for: a), .down)
        XCTAssertNil(pool.record(check: true, for: a))
        XCTAssertEqual(pool.record(check: true, for: a), .up)
        var checker = HealthChecker(rise: 2, fall: 2, up: true)
        XCTAssertNil(checker.record(success: false))
        XCTAssertNil(checker.record(success: true), "a success resets the streak")
        XCTAssertNil(checker.record(success: false))
        XCTAssertEqual(checker.record(success: false), false)
    }

    func testControlCommands() {
        XCTAssertEqual(ControlCommand(line: "add 127.0.0.1:8004"), .add(SocketAddress(host: "127.0.0.1", port: 8004)))
        XCTAssertEqual(ControlCommand(line: "drain 127.0.0.1:8001"), .drain(a))
        XCTAssertEqual(ControlCommand(line: "remove 127.0.0.1:8001"), .remove(a))
        XCTAssertEqual(ControlCommand(line: "stop"), .stop)
        XCTAssertNil(ControlCommand(line: "add nowhere"))
        XCTAssertNil(ControlCommand(line: "explode"))
    }

    func testForwardedRequestDropsHopByHopAndAddsForwardedFor() {
        let head = RequestHead(method: .PUT, target: "/blobs/u/b", headers: HTTPHeaders([
            ("Host", "x"), ("Connection", "close, X-Secret"), ("X-Secret", "1"), ("Keep-Alive", "300"),
            ("X-Forwarded-For", "10.0.0.1"), ("Content-Length", "5"), ("Accept", "*/*"),
        ]), framing: .length(5))
        let text = String(decoding: ForwardedHead.request(head, clientAddress: "127.0.0.1",
                                                          backend: SocketAddress(host: "127.0.0.1", port: 8001)), as: UTF8.self)
        XCTAssertTrue(text.hasPrefix("PUT /blobs/u/b HTTP/1.1\r\n"))
        XCTAssertTrue(text.contains("X-Forwarded-For: 10.0.0.1, 127.0.0.1\r\n"))
        XCTAssertTrue(text.contains("Content-Length: 5\r\n"))
        XCTAssertTrue(text.contains("Accept: */*\r\n"))
        XCTAssertTrue(text.contains("Host: x\r\n"))
        XCTAssertFalse(text.contains("127.0.0.1:8001"), "the client's Host stays")
        XCTAssertFalse(text.contains("X-Secret"))
        XCTAssertFalse(text.contains("Keep-Alive"))
        XCTAssertFalse(text.lowercased().contains("connection:"))
    }
}

/// The control channel's `report` and its answer: what blob-cluster status
/// reads back from each balancer.
final class BackendReportTests: XCTestCase {
    func testAReportLineRoundTripsAndNothingElseParses() throws {
        let report = BackendReport(entries: [
            .init(address: try XCTUnwrap(SocketAddress("127.0.0.1:8001")), state: "up"),
            .init(address: try XCTUnwrap(SocketAddress("127.0.0.1:8002")), state: "draining"),
        ])
        XCTAssertEqual(report.line, "backends 127.0.0.1:8001=up 127.0.0.1:8002=draining")
        XCTAssertEqual(BackendReport(line: Substring(report.line)), report)
        XCTAssertEqual(BackendReport(line: "backends")?.entries, [], "an empty pool")
        for bad in ["backend 127.0.0.1:8001=up", "backends 127.0.0.1:8001", "backends 127.0.0.1:8001=sleepy", "backends x=up", ""] {
            XCTAssertNil(BackendReport(line: Substring(bad)), bad)
        }
        XCTAssertEqual(ControlCommand(line: "report"), .report)
        XCTAssertEqual(ControlCommand.report.line, "report")
    }

    func testTheDirectoryReportsEachBackendsState() throws {
        let base = try EventBase()
        defer { base.close() }
        let one = try XCTUnwrap(SocketAddress("127.0.0.1:1")), two = try XCTUnwrap(SocketAddress("127.0.0.1:2"))
        var config = BalancerConfig(listen: SocketAddress(host: "127.0.0.1", port: 0), backends: [one, two])
        config.checkInterval = 3600
        let directory = BackendDirectory(base: base, config: config, logger: Logger(label: "test"))
        defer { directory.close() }
        directory.apply(.drain(two))
        XCTAssertEqual(directory.report.line, "backends 127.0.0.1:1=up 127.0.0.1:2=draining")
    }
}
