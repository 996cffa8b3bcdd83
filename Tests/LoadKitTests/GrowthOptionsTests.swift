@testable import LoadKit
import XCTest

/// What the growth study asks of blob-load: Soledad-like ids, namespaces,
/// `only_count`, a run that leaves the store's size as it was, and a bound
/// in time.
final class GrowthOptionsTests: XCTestCase {
    private let blob: [UInt8] = Array("payload".utf8)

    private func path(_ kind: RequestKind, namespace: String?) -> String {
        LoadRequest(kind: kind, user: "alice", blobID: "b1", blob: blob, host: "h", close: false, namespace: namespace).path
    }

    func testUUIDIdsAreSoledadsHexUUIDsAndSpreadOverPrefixes() {
        var ids = BlobIDs(style: .uuid)
        let many = (0..<4096).map { _ in ids.next() }
        XCTAssertEqual(Set(many).count, many.count)
        for id in many {
            XCTAssertEqual(id.utf8.count, 32, id)
            XCTAssertTrue(id.utf8.allSatisfy { (48...57).contains($0) || (97...102).contains($0) }, "lowercase hex: \(id)")
            XCTAssertEqual(Array(id)[12], "4", "version 4, as uuid4().hex: \(id)")
            XCTAssertTrue("89ab".contains(Array(id)[16]), "RFC 4122 variant: \(id)")
        }
        // The store's first prefix is one character: 4096 random ids use all 16.
        XCTAssertEqual(Set(many.map { $0.prefix(1) }).count, 16)
        XCTAssertGreaterThan(Set(many.map { $0.prefix(3) }).count, 2000, "the 3-character prefixes spread too")
    }

    func testCounterIdsStayTheDefault() {
        var ids = BlobIDs()
        XCTAssertEqual(ids.style, .counter)
        XCTAssertEqual(ids.next(), ids.prefix + "-1")
    }

    func testNamespaceGoesInEveryRequestsQuery() {
        XCTAssertEqual(path(.put, namespace: "small"), "/blobs/alice/b1?namespace=small")
        XCTAssertEqual(path(.get, namespace: "small"), "/blobs/alice/b1?namespace=small")
        XCTAssertEqual(path(.flag, namespace: "small"), "/blobs/alice/b1?namespace=small")
        XCTAssertEqual(path(.delete, namespace: "small"), "/blobs/alice/b1?namespace=small")
        XCTAssertEqual(path(.list, namespace: "small"), "/blobs/alice/?namespace=small")
        XCTAssertEqual(path(.count, namespace: "small"), "/blobs/alice/?only_count=1&namespace=small")
        XCTAssertEqual(path(.put, namespace: nil), "/blobs/alice/b1", "no namespace: the study's requests, unchanged")
        XCTAssertEqual(path(.list, namespace: nil), "/blobs/alice/")
    }

    func testCountAsksForOnlyTheCount() {
        let count = LoadRequest(kind: .count, user: "alice", blobID: "", blob: [], host: "127.0.0.1:8000", close: false)
        XCTAssertEqual(String(decoding: count.head, as: UTF8.self), "GET /blobs/alice/?only_count=1 HTTP/1.1\r\nHost: 127.0.0.1:8000\r\n\r\n")
        XCTAssertNil(count.body)
        XCTAssertEqual(LoadAction.count.steps, [.count])
    }

    func testCleanUpDeletesWhatAnActionLeftAndNothingElse() {
        XCTAssertEqual(LoadAction.put.steps(cleaningUp: true), [.put, .cleanup])
        XCTAssertEqual(LoadAction.get.steps(cleaningUp: true), [.put, .get, .cleanup])
        XCTAssertEqual(LoadAction.flag.steps(cleaningUp: true), [.put, .flag, .cleanup])
        XCTAssertEqual(LoadAction.delete.steps(cleaningUp: true), [.put, .delete], "already deletes its blob")
        XCTAssertEqual(LoadAction.count.steps(cleaningUp: true), [.count])
        XCTAssertEqual(LoadAction.list.steps(cleaningUp: true), [.list])
        for action in LoadAction.allCases { XCTAssertEqual(action.steps(cleaningUp: false), action.steps) }
        let cleanup = LoadRequest(kind: .cleanup, user: "alice", blobID: "b1", blob: blob, host: "h", close: false)
        XCTAssertEqual(cleanup.method, .DELETE)
        XCTAssertEqual(cleanup.path, "/blobs/alice/b1")
        XCTAssertNotEqual(RequestKind.cleanup.rawValue, RequestKind.delete.rawValue, "reported apart from the measured DELETE")
    }
}
