@testable import BlobKit
import Foundation
import XCTest

/// Listing and counting: only live blobs of that namespace, filters, order.
final class BlobListingTests: StoreTestCase {
    func testMissingUserOrNamespaceIsEmpty() throws {
        XCTAssertEqual(try list(), [])
        XCTAssertEqual(try list(deleted: true), [])
        XCTAssertEqual(try store.count(user: name("nobody", .user), namespace: ns), 0)
        try put("x", "1")
        XCTAssertEqual(try list(name("empty", .namespace)), [])
        XCTAssertEqual(try store.list(user: name("bob", .user), namespace: ns, filterFlag: nil, order: .none, deleted: false), [])
    }

    func testOnlyLiveBlobsOfThatNamespace() throws {
        let other = name("other", .namespace)
        for blobID in ["one", "two", "three"] { try put(blobID, blobID) }
        try put("elsewhere", "x", namespace: other)
        try store.setFlags(["PENDING"], user: user, namespace: ns, id: id("one"))
        try store.delete(user: user, namespace: ns, id: id("three"))
        let inFlight = try store.beginWrite(user: user, namespace: ns, id: id("four"))  // a temporary file on disk
        // Strays a listing must skip: a stray dot file and a subdirectory where a blob would be.
        try writeFile((path("one") as NSString).deletingLastPathComponent + "/.stray", "")
        try FileManager.default.createDirectory(atPath: path("twoish"), withIntermediateDirectories: true)
        XCTAssertEqual(Set(try list()), ["one", "two"])
        XCTAssertEqual(try store.count(user: user, namespace: ns), 2)
        XCTAssertEqual(try list(other), ["elsewhere"])
        XCTAssertEqual(try store.count(user: user, namespace: other), 1)
        XCTAssertEqual(try list(deleted: true), ["three"])
        XCTAssertEqual(try list(other, deleted: true), [])
        inFlight.abort()
    }

    func testFilterFlag() throws {
        for blobID in ["p1", "p2", "done", "plain"] { try put(blobID, "x") }
        try store.setFlags(["PENDING"], user: user, namespace: ns, id: id("p1"))
        try store.setFlags(["FAILED", "PENDING"], user: user, namespace: ns, id: id("p2"))
        try store.setFlags(["PROCESSED"], user: user, namespace: ns, id: id("done"))
        XCTAssertEqual(Set(try list(flag: "PENDING")), ["p1", "p2"])
        XCTAssertEqual(try list(flag: "PROCESSED"), ["done"])
        XCTAssertEqual(try list(flag: "PROCESSING"), [])
        XCTAssertEqual(try list(flag: "NOT-A-FLAG"), [])
        XCTAssertEqual(try list(flag: "PENDING", order: .dateAscending).count, 2)
    }

    func testOrderByModificationTime() throws {
        let ids = ["m1", "m2", "m3", "m4"]
        for blobID in ids { try put(blobID, blobID) }
        // Same second, different nanoseconds, and an older second: ns resolution matters.
        setModified(path("m1"), seconds: 1_700_000_000, nanoseconds: 500)
        setModified(path("m2"), seconds: 1_600_000_000)
        setModified(path("m3"), seconds: 1_700_000_000, nanoseconds: 100)
        setModified(path("m4"), seconds: 1_800_000_000)
        XCTAssertEqual(try list(order: .dateAscending), ["m2", "m3", "m1", "m4"])
        XCTAssertEqual(try list(order: .dateDescending), ["m4", "m1", "m3", "m2"])
        XCTAssertEqual(Set(try list(order: .none)), Set(ids))
    }

    func testDeletedListingCanBeOrdered() throws {
        for blobID in ["d1", "d2"] {
            try put(blobID, "x")
            try store.delete(user: user, namespace: ns, id: id(blobID))
        }
        setModified(path("d1") + ".deleted", seconds: 2_000_000_000)
        setModified(path("d2") + ".deleted", seconds: 1_000_000_000)
        XCTAssertEqual(try list(order: .dateAscending, deleted: true), ["d2", "d1"])
        XCTAssertEqual(try store.count(user: user, namespace: ns), 0)
    }
}
