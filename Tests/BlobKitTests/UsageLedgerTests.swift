@testable import BlobKit
import BlobProtocol
import Foundation
import XCTest

#if canImport(Glibc)
import Glibc
#endif

/// The quota's usage ledger (`ROOT/{user}/.usage`): it follows PUT and
/// DELETE, is trusted without walking the tree, is shared by stores on one
/// root (as workers), and is walked again when it cannot be trusted
/// (waiting on its lock: UsageLedgerLockTests).
final class UsageLedgerTests: StoreTestCase {
    private var ledgerPath: String { root + "/alice/.usage" }

    private func ledger() throws -> UsageRecord? {
        UsageRecord(bytes: Array(try Data(contentsOf: URL(fileURLWithPath: ledgerPath))))
    }

    private func writeLedger(_ record: UsageRecord) throws {
        try Data(record.bytes).write(to: URL(fileURLWithPath: ledgerPath))
    }

    /// A blob of `size` bytes put into the layout by hand, as if by a writer
    /// that keeps no ledger: only a walk of the tree can count it.
    private func hiddenBlob(_ blobID: String, size: Int) throws {
        try writeFile(path(blobID), String(repeating: "h", count: size))
    }

    func testUsageFollowsPutAndDeleteInEveryNamespace() throws {
        store = try BlobStore(root: root, fsync: false, quota: 1000)
        try put("a", "123456")
        XCTAssertEqual(try ledger(), UsageRecord(used: 6, state: .settled))
        try put("b", "123", namespace: name("other", .namespace))
        XCTAssertEqual(try ledger(), UsageRecord(used: 9, state: .settled))
        try store.setFlags(["PROCESSED"], user: user, namespace: ns, id: id("a"))
        try store.delete(user: user, namespace: ns, id: id("a"))
        XCTAssertEqual(try ledger(), UsageRecord(used: 3, state: .settled), "DELETE subtracts the blob's size, flags never count")
        assertStoreError(.notFound, try store.delete(user: user, namespace: ns, id: id("a")))
        XCTAssertEqual(try ledger(), UsageRecord(used: 3, state: .settled))
        assertStoreError(.exists, try put("b", "12345", namespace: name("other", .namespace)))
        XCTAssertEqual(try ledger(), UsageRecord(used: 3, state: .settled), "a lost link race adds nothing")
        XCTAssertEqual(try store.usedBytes(user), 3)
    }

    /// A settled ledger is believed: a blob added behind the store's back is
    /// not counted (no walk happens), until a pending marker forces a walk.
    func testASettledLedgerIsTrustedAndAPendingOneIsWalkedAgain() throws {
        store = try BlobStore(root: root, fsync: false, quota: 100)
        try put("a", "12345")
        try hiddenBlob("hidden", size: 200)
        try put("b", "12345")  // 5 < 100: no walk, or it would see 205
        XCTAssertEqual(try ledger(), UsageRecord(used: 10, state: .settled))
        // A writer that died between its marker and its settle:
        try writeLedger(UsageRecord(used: 10, state: .pending(delta: 7)))
        assertStoreError(.quotaExceeded, try store.beginWrite(user: user, namespace: ns, id: id("c")))
        XCTAssertEqual(try ledger(), UsageRecord(used: 210, state: .settled), "walked once: the hidden blob counts now")
    }

    func testAMissingOrUnreadableLedgerIsWalkedAgain() throws {
        store = try BlobStore(root: root, fsync: false, quota: 100)
        try put("a", "12345")
        try hiddenBlob("hidden", size: 20)
        try "garbage\n".write(toFile: ledgerPath, atomically: false, encoding: .utf8)
        try put("b", "1")
        XCTAssertEqual(try ledger(), UsageRecord(used: 26, state: .settled))
        try FileManager.default.removeItem(atPath: ledgerPath)
        try hiddenBlob("hidden2", size: 4)
        try store.delete(user: user, namespace: ns, id: id("a"))
        XCTAssertEqual(try ledger(), UsageRecord(used: 25, state: .settled), "walked (30), then the DELETE's 5 subtracted")
    }

    /// Two stores on one root, as two workers: each sees the other's
    /// commits through the ledger, and the quota holds across them.
    func testTwoStoresOnOneRootShareTheLedger() throws {
        store = try BlobStore(root: root, fsync: false, quota: 20)
        let other = try BlobStore(root: root, fsync: false, quota: 20)
        try put("a", "12345678")
        try hiddenBlob("hidden", size: 100)  // never walked: not counted
        let early = try other.beginWrite(user: user, namespace: ns, id: id("b"))  // 8 < 20
        try put("c", "12345678")  // 8 < 20 on the first store: 16
        try [UInt8](repeating: 1, count: 8).withUnsafeBytes { try early.write($0) }
        try early.commit()  // 16 < 20 on the second: 24, the one blob that crosses
        XCTAssertEqual(try ledger(), UsageRecord(used: 24, state: .settled))
        assertStoreError(.quotaExceeded, try put("d", "1"))
        assertStoreError(.quotaExceeded, try put("e", "1", in: other))
        try other.delete(user: user, namespace: ns, id: id("a"))
        try put("d", "1")  // 16 < 20: the first store sees the second's DELETE
        XCTAssertEqual(try ledger(), UsageRecord(used: 17, state: .settled))
    }

    /// A store without a quota empties every ledger at start: its blobs
    /// would not be counted, so the next quota check walks.
    func testAStoreWithoutQuotaEmptiesTheLedgers() throws {
        store = try BlobStore(root: root, fsync: false, quota: 100)
        try put("a", "12345")
        let plain = try BlobStore(root: root, fsync: false, quota: nil)
        XCTAssertEqual(plain.clearedUsageLedgers, 1)
        XCTAssertNil(try ledger(), "emptied")
        try put("b", "123456789", in: plain)
        try put("c", "1")
        XCTAssertEqual(try ledger(), UsageRecord(used: 15, state: .settled), "walked: the plain store's blob counts")
    }

    /// `--check-store` takes a true ledger as clean, reports a pending,
    /// wrong or unreadable one, and repair empties it.
    func testTheStoreCheckVerifiesAndRepairsLedgers() throws {
        store = try BlobStore(root: root, fsync: false, quota: 100)
        try put("a", "12345")
        try put("b", "123", namespace: name("other", .namespace))
        let check = { (repair: Bool) in try StoreCheck(root: self.root, repair: repair, temporaryAge: 3600).run() }
        XCTAssertEqual(try check(false).findings, [], "a true ledger is not debris")
        for wrong in [UsageRecord(used: 8, state: .pending(delta: 3)).bytes, UsageRecord(used: 9, state: .settled).bytes, Array("junk".utf8)] {
            try Data(wrong).write(to: URL(fileURLWithPath: ledgerPath))
            let found = try check(false)
            XCTAssertEqual(found.findings.map(\.kind), [.staleUsage], found.lines.joined(separator: "\n"))
            XCTAssertEqual(found.findings.first?.path, "alice/.usage")
            XCTAssertFalse(found.isClean)
            let repaired = try check(true)
            XCTAssertEqual(repaired.findings.map(\.outcome), [.emptied], repaired.lines.joined(separator: "\n"))
            XCTAssertTrue(repaired.isClean, repaired.summary)
            XCTAssertEqual(try Data(contentsOf: URL(fileURLWithPath: ledgerPath)).count, 0)
            XCTAssertEqual(try check(false).findings, [], "an empty ledger only means: walk again")
            try put("c", "1")
            XCTAssertEqual(try ledger(), UsageRecord(used: 9, state: .settled))
            try store.delete(user: user, namespace: ns, id: id("c"))
        }
    }

    func testRecordsRoundTripAndRejectAnythingElse() {
        for record in [UsageRecord(used: 0, state: .settled), UsageRecord(used: Int(Int64.max), state: .settled),
                       UsageRecord(used: 12345, state: .pending(delta: 4096)), UsageRecord(used: 9, state: .pending(delta: -9))] {
            XCTAssertEqual(record.bytes.count, UsageRecord.size)
            XCTAssertEqual(UsageRecord(bytes: record.bytes), record)
        }
        let good = UsageRecord(used: 7, state: .settled).bytes
        XCTAssertEqual(String(decoding: good, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines), "v1 used=00000000000000000007 settled")
        XCTAssertNil(UsageRecord(bytes: []))
        XCTAssertNil(UsageRecord(bytes: Array(good.dropLast())))
        XCTAssertNil(UsageRecord(bytes: Array(good.prefix(30)) + [UInt8](repeating: 32, count: 33) + [10]), "torn")
        var wrong = good
        wrong[9] = UInt8(ascii: "x")
        XCTAssertNil(UsageRecord(bytes: wrong))
        wrong = good
        wrong[0] = UInt8(ascii: "w")
        XCTAssertNil(UsageRecord(bytes: wrong))
    }
}
