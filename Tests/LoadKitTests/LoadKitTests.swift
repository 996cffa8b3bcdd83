@testable import LoadKit
import XCTest

/// The pure parts of blob-load: actions, ids, URLs, counting.
final class LoadKitTests: XCTestCase {
    func testActionsMakeTheStudysRequests() {
        XCTAssertEqual(LoadAction.baseline.steps, [.baseline])
        XCTAssertEqual(LoadAction.list.steps, [.list])
        XCTAssertEqual(LoadAction.put.steps, [.put])
        XCTAssertEqual(LoadAction.get.steps, [.put, .get])
        XCTAssertEqual(LoadAction.flag.steps, [.put, .flag])
        XCTAssertEqual(LoadAction.delete.steps, [.put, .delete])
    }

    func testIDsAreUniqueAndValidNames() {
        var ids = BlobIDs()
        let many = (0..<10_000).map { _ in ids.next() }
        XCTAssertEqual(Set(many).count, many.count)
        XCTAssertNotEqual(BlobIDs().prefix, BlobIDs().prefix, "runs do not collide")
        for id in many.prefix(100) {
            XCTAssertTrue(id.utf8.allSatisfy { $0 == 45 || $0 == 95 || (48...57).contains($0) || (65...90).contains($0) || (97...122).contains($0) }, id)
        }
    }

    func testURLs() {
        XCTAssertEqual(LoadTarget(url: "http://127.0.0.1:8000")?.address.port, 8000)
        XCTAssertEqual(LoadTarget(url: "http://localhost:9/")?.address.host, "127.0.0.1")
        XCTAssertEqual(LoadTarget(url: "http://127.0.0.1")?.address.port, 80)
        XCTAssertNil(LoadTarget(url: "https://127.0.0.1:8000"))
        XCTAssertNil(LoadTarget(url: "http://example.org:80"))
        XCTAssertNil(LoadTarget(url: "http://127.0.0.1:8000/path"))
        XCTAssertNil(LoadTarget(url: "http://"))
        XCTAssertNil(LoadTarget(url: "http://127.0.0.1:70000"))
        XCTAssertNil(LoadTarget(url: "http://[::1]:8000"))
        XCTAssertNil(LoadTarget(url: "127.0.0.1:8000"))
        XCTAssertEqual(LoadTarget(url: "http://localhost:8000")?.hostHeader, "localhost:8000")
    }

    func testStatsCountOnlyThePromisedStatusAsSuccess() {
        var stats = KindStats()
        stats.recordAnswer(status: 200, micros: 100, expected: 200, verified: true)
        stats.recordAnswer(status: 201, micros: 100, expected: 200, verified: true)
        stats.recordAnswer(status: 200, micros: 100, expected: 200, verified: false)
        stats.recordFailure("refused")
        XCTAssertEqual(stats.count, 4)
        XCTAssertEqual(stats.successes, 1)
        XCTAssertEqual(stats.errors, ["verify": 1, "refused": 1])
        XCTAssertEqual(stats.statuses, [200: 2, 201: 1])
    }
}
