@testable import BlobKit
import BlobProtocol
import XCTest

/// The store's side of idempotency keys: recorded with the blob and the
/// tombstone, consulted only when a write or delete would otherwise fail.
final class IdempotencyKeyStoreTests: StoreTestCase {
    private func key(_ text: String) -> IdempotencyKey { IdempotencyKey(header: Substring(text))! }

    func testStoreOnExt4OrTmpfsRecordsKeys() {
        XCTAssertTrue(store.keysSupported, "/tmp here takes user extended attributes")
    }

    /// The key is set on the writer's descriptor before the link, in either
    /// staging mode: an unnamed O_TMPFILE keeps it through linkat.
    func testKeyIsRecordedWithUnnamedAndNamedTemporaryFiles() throws {
        for allowUnnamed in [true, false] {
            store = try BlobStore(root: root, durability: .processCrash, quota: nil, allowUnnamedTemporaryFiles: allowUnnamed)
            XCTAssertEqual(store.temporaryFiles, allowUnnamed ? .unnamed : .named)
            let blobID = "keyed-\(store.temporaryFiles)"
            let writer = try store.beginWrite(user: user, namespace: ns, id: id(blobID), key: key("k-\(blobID)"))
            try Array("abc".utf8).withUnsafeBytes { try writer.write($0) }
            try writer.commit()
            XCTAssertTrue(store.wasMade(by: key("k-\(blobID)"), at: path(blobID)))
            XCTAssertThrowsError(try store.beginWrite(user: user, namespace: ns, id: id(blobID), key: key("k-\(blobID)"))) {
                XCTAssertEqual($0 as? StoreError, .alreadyDone)
            }
            XCTAssertThrowsError(try store.beginWrite(user: user, namespace: ns, id: id(blobID), key: key("other"))) {
                XCTAssertEqual($0 as? StoreError, .exists)
            }
        }
    }

    func testTwoAttemptsWithOneKeyRacingOnLinkBothSucceed() throws {
        // A retry that started while the first attempt was still writing:
        // the one that loses the link() race must not report 409.
        let first = try store.beginWrite(user: user, namespace: ns, id: id("race"), key: key("k"))
        let retry = try store.beginWrite(user: user, namespace: ns, id: id("race"), key: key("k"))
        try Array("abc".utf8).withUnsafeBytes { try first.write($0); try retry.write($0) }
        try first.commit()
        XCTAssertThrowsError(try retry.commit()) { XCTAssertEqual($0 as? StoreError, .alreadyDone) }
        XCTAssertEqual(StoreError.alreadyDone.status, 200)
        XCTAssertEqual(try read("race"), Array("abc".utf8))
    }

    func testAnotherWritersKeyStillConflicts() throws {
        let first = try store.beginWrite(user: user, namespace: ns, id: id("other"), key: key("a"))
        let second = try store.beginWrite(user: user, namespace: ns, id: id("other"), key: key("b"))
        try first.commit()
        XCTAssertThrowsError(try second.commit()) { XCTAssertEqual($0 as? StoreError, .exists) }
        XCTAssertThrowsError(try store.beginWrite(user: user, namespace: ns, id: id("other"))) {
            XCTAssertEqual($0 as? StoreError, .exists)
        }
    }

    func testDeleteKeyIsOnTheTombstone() throws {
        try put("gone", "x")
        try store.delete(user: user, namespace: ns, id: id("gone"), key: key("d"))
        XCTAssertThrowsError(try store.delete(user: user, namespace: ns, id: id("gone"), key: key("d"))) {
            XCTAssertEqual($0 as? StoreError, .alreadyDone)
        }
        XCTAssertThrowsError(try store.delete(user: user, namespace: ns, id: id("gone"), key: key("e"))) {
            XCTAssertEqual($0 as? StoreError, .notFound)
        }
    }

    func testKeysAreValidated() {
        XCTAssertEqual(IdempotencyKey(header: "\"abc-123\"")?.value, "abc-123")
        XCTAssertEqual(IdempotencyKey(header: "abc")?.value, "abc")
        XCTAssertNil(IdempotencyKey(header: ""))
        XCTAssertNil(IdempotencyKey(header: "\"\""))
        XCTAssertNil(IdempotencyKey(header: "a b"))
        XCTAssertNil(IdempotencyKey(header: Substring(String(repeating: "x", count: 256))))
        XCTAssertNotNil(IdempotencyKey(header: Substring(String(repeating: "x", count: 255))))
    }
}
