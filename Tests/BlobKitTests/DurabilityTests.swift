@testable import BlobKit
import BlobProtocol
import Foundation
import XCTest

#if canImport(Glibc)
import Glibc
#endif

/// `--fsync`: what is synced (counted through a test double) and that a
/// failing sync is an error the client sees, never ignored.
final class DurabilityTests: StoreTestCase {
    /// Counts the syncs, by what was synced: a directory or a file.
    private let synced = TestLock<(files: Int, directories: Int)>((0, 0))
    private let failWith = TestLock<Int32>(0)

    override func setUpWithError() throws {
        try super.setUpWithError()
        let synced = self.synced, failWith = self.failWith
        store = try BlobStore(root: root, durability: .powerLoss { fd in
            var info = stat()
            fstat(fd, &info)
            let isDirectory = info.st_mode & S_IFMT == S_IFDIR
            synced.withLock { isDirectory ? ($0.directories += 1) : ($0.files += 1) }
            let code = failWith.withLock { $0 }
            if code != 0 { errno = code; return -1 }
            return 0
        }, quota: nil)
    }

    private func counts() -> (files: Int, directories: Int) {
        synced.withLock { value in
            defer { value = (0, 0) }
            return value
        }
    }

    func testAPutSyncsTheDataEachNewDirectoryAndTheBlobsDirectory() throws {
        try put("abcdef1", "x")
        let first = counts()
        XCTAssertEqual(first.files, 1, "the data")
        // alice, default, a, abc, abcdef were made: each synced into its parent; then the blob's directory.
        XCTAssertEqual(first.directories, 5 + 1)
        try put("abcdef2", "y")
        let second = counts()
        XCTAssertEqual(second.files, 1)
        XCTAssertEqual(second.directories, 1, "no directory was made")
    }

    func testADeleteSyncsTheTombstoneAndTheDirectory() throws {
        try put("d", "x")
        try store.setFlags(["PENDING"], user: user, namespace: ns, id: id("d"))
        _ = counts()
        try store.delete(user: user, namespace: ns, id: id("d"))
        let deleted = counts()
        XCTAssertEqual(deleted.files, 1, "the tombstone, with its key, before the unlink")
        XCTAssertEqual(deleted.directories, 2, "after the tombstone, and after the unlinks")
        XCTAssertEqual(try list(deleted: true), ["d"])
    }

    /// With --quota the ledger's pending mark is synced before the link (and
    /// before a DELETE's unlink), so a power loss cannot leave an old total
    /// that looks settled next to a blob it does not count.
    func testWithAQuotaTheLedgersMarkIsSyncedBeforeTheLinkAndTheUnlink() throws {
        let blob = path("q1")
        let events = TestLock<[String]>([])
        store = try BlobStore(root: root, durability: .powerLoss { fd in
            let target = (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/fd/\(fd)")) ?? "?"
            if target.hasSuffix("/.usage") {
                let exists = FileManager.default.fileExists(atPath: blob)
                events.withLock { $0.append(exists ? "ledger, blob present" : "ledger, no blob") }
            }
            return 0
        }, quota: 1000)
        try put("q1", "12345")
        XCTAssertEqual(events.withLock { $0 }, ["ledger, no blob"])
        try store.delete(user: user, namespace: ns, id: id("q1"))
        XCTAssertEqual(events.withLock { $0 }, ["ledger, no blob", "ledger, blob present"])
        XCTAssertEqual(String(decoding: try Data(contentsOf: URL(fileURLWithPath: root + "/alice/.usage")), as: UTF8.self)
            .trimmingCharacters(in: .whitespacesAndNewlines), "v1 used=00000000000000000000 settled")
    }

    func testAFlagsPostSyncsTheFileAndTheDirectory() throws {
        try put("f", "x")
        _ = counts()
        try store.setFlags(["PENDING"], user: user, namespace: ns, id: id("f"))
        let flagged = counts()
        XCTAssertEqual(flagged.files, 1)
        XCTAssertEqual(flagged.directories, 1)
        XCTAssertEqual(try store.flags(user: user, namespace: ns, id: id("f")), ["PENDING"])
    }

    func testAFailingSyncFailsThePutTheDeleteAndTheFlags() throws {
        try put("kept", "x")
        failWith.withLock { $0 = EIO }
        XCTAssertThrowsError(try put("new", "y")) { error in
            guard case .system(let call, EIO, _)? = error as? StoreError else { return XCTFail("\(error)") }
            XCTAssertTrue(call.hasPrefix("fsync"), call)
            XCTAssertEqual((error as? StoreError)?.status, 500)
        }
        assertStoreError(.notFound, try store.open(user: user, namespace: ns, id: id("new")))
        XCTAssertThrowsError(try store.setFlags(["PENDING"], user: user, namespace: ns, id: id("kept"))) {
            XCTAssertEqual(($0 as? StoreError)?.status, 500)
        }
        XCTAssertThrowsError(try store.delete(user: user, namespace: ns, id: id("kept"))) {
            XCTAssertEqual(($0 as? StoreError)?.status, 500)
        }
        XCTAssertEqual(try read("kept"), Array("x".utf8), "a DELETE whose tombstone could not be synced deletes nothing")
        failWith.withLock { $0 = ENOSPC }
        XCTAssertThrowsError(try store.setFlags(["PENDING"], user: user, namespace: ns, id: id("kept"))) {
            XCTAssertEqual(($0 as? StoreError)?.status, 507)
        }
        XCTAssertEqual(try store.flags(user: user, namespace: ns, id: id("kept")), [])
        XCTAssertEqual(try dotFiles(), [], "a failed flags POST leaves no temporary file")
    }
}
