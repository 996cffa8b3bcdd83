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
