@testable import BlobKit
import BlobProtocol
import Foundation
import XCTest

final class BlobStoreTests: XCTestCase {
    private var root = ""
    private var store: BlobStore!
    private let user = try! BlobName(validating: "alice", kind: .user)
    private let ns = try! BlobName(validating: "default", kind: .namespace)

    override func setUpWithError() throws {
        root = NSTemporaryDirectory() + "store-\(UUID().uuidString)"
        store = try BlobStore(root: root, fsync: false, quota: nil)
    }

    override func tearDown() {
        try? FileManager.default.removeItem(atPath: root)
    }

    private func id(_ text: String) -> BlobName { try! BlobName(validating: text, kind: .id) }

    private func put(_ name: String, _ text: String) throws {
        let writer = try store.beginWrite(user: user, namespace: ns, id: id(name))
        try Array(text.utf8).withUnsafeBytes { try writer.write($0) }
        try writer.commit()
    }

    func testLayoutIsSoledads() throws {
        try put("abcdefgh", "x")
        try put("ab", "y")
        XCTAssertTrue(FileManager.default.fileExists(atPath: root + "/alice/default/a/abc/abcdef/abcdefgh"))
        XCTAssertTrue(FileManager.default.fileExists(atPath: root + "/alice/default/a/ab/ab/ab"))
    }

    func testOneOfTwoRacingWritersWinsAndTheOtherSeesExists() throws {
        let first = try store.beginWrite(user: user, namespace: ns, id: id("race"))
        let second = try store.beginWrite(user: user, namespace: ns, id: id("race"))
        try Array("one".utf8).withUnsafeBytes { try first.write($0) }
        try Array("two".utf8).withUnsafeBytes { try second.write($0) }
        try first.commit()
        XCTAssertThrowsError(try second.commit()) { XCTAssertEqual($0 as? StoreError, .exists) }
        let blob = try store.open(user: user, namespace: ns, id: id("race"))
        XCTAssertEqual(try blob.readAll(limit: 100), Array("one".utf8))
        XCTAssertEqual(try store.list(user: user, namespace: ns, filterFlag: nil, order: .none, deleted: false), ["race"])
        let leftovers = try FileManager.default.subpathsOfDirectory(atPath: root).filter { ($0 as NSString).lastPathComponent.hasPrefix(".") }
        XCTAssertEqual(leftovers, [], "no temporary file left")
    }

    func testAbortLeavesNothing() throws {
        let writer = try store.beginWrite(user: user, namespace: ns, id: id("gone"))
        try Array("partial".utf8).withUnsafeBytes { try writer.write($0) }
        writer.abort()
        XCTAssertThrowsError(try store.open(user: user, namespace: ns, id: id("gone")).size)  // the blob is not there
        let names = try FileManager.default.subpathsOfDirectory(atPath: root).map { ($0 as NSString).lastPathComponent }
        XCTAssertFalse(names.contains { $0.hasPrefix(".gone") }, "the temporary file is removed: \(names)")
    }

    func testFlagsDeleteAndTombstones() throws {
        try put("f", "x")
        XCTAssertEqual(try store.flags(user: user, namespace: ns, id: id("f")), [])
        try store.setFlags(["PENDING"], user: user, namespace: ns, id: id("f"))
        XCTAssertThrowsError(try store.setFlags(["PENDING", "NOPE"], user: user, namespace: ns, id: id("f"))) {
            XCTAssertEqual($0 as? StoreError, .unknownFlag("NOPE"))
        }
        XCTAssertEqual(try store.flags(user: user, namespace: ns, id: id("f")), ["PENDING"])
        XCTAssertEqual(try store.list(user: user, namespace: ns, filterFlag: "PENDING", order: .none, deleted: false), ["f"])
        try store.delete(user: user, namespace: ns, id: id("f"))
        XCTAssertThrowsError(try store.delete(user: user, namespace: ns, id: id("f"))) { XCTAssertEqual($0 as? StoreError, .notFound) }
        XCTAssertEqual(try store.list(user: user, namespace: ns, filterFlag: nil, order: .none, deleted: true), ["f"])
        try put("f", "again")
        XCTAssertEqual(try store.list(user: user, namespace: ns, filterFlag: nil, order: .none, deleted: true), [])
        XCTAssertEqual(try store.count(user: user, namespace: ns), 1)
    }

    func testQuotaCountsPublishedBlobs() throws {
        store = try BlobStore(root: root, fsync: false, quota: 10)
        try put("a", "12345678")
        try put("b", "12345678")
        XCTAssertThrowsError(try store.beginWrite(user: user, namespace: ns, id: id("c"))) { XCTAssertEqual($0 as? StoreError, .quotaExceeded) }
    }

    func testErrorsMapToStatuses() {
        XCTAssertEqual(StoreError.exists.status, 409)
        XCTAssertEqual(StoreError.notFound.status, 404)
        XCTAssertEqual(StoreError.quotaExceeded.status, 507)
        XCTAssertEqual(StoreError.unknownFlag("X").status, 406)
        XCTAssertEqual(StoreError.system(call: "write", errno: ENOSPC, path: "/s").status, 507)
        XCTAssertEqual(StoreError.system(call: "open", errno: EACCES, path: "/s").status, 500)
        XCTAssertTrue(StoreError.system(call: "open", errno: EACCES, path: "/s").reason.contains("permission denied"))
    }
}
