@testable import BlobKit
import BlobProtocol
import Foundation
import XCTest

#if canImport(Glibc)
import Glibc
#endif

/// The states a crash can leave, made by hand, read as one of the two
/// allowed ones: live with its own flags, or deleted with no flags.
final class CrashConsistencyTests: StoreTestCase {
    /// DELETE crashed after step 1: blob and tombstone. The id is live.
    func testATombstoneNextToABlobMeansLive() throws {
        try put("d", "body")
        try store.setFlags(["PENDING"], user: user, namespace: ns, id: id("d"))
        try writeFile(path("d") + ".deleted", "")
        XCTAssertEqual(try read("d"), Array("body".utf8))
        XCTAssertEqual(try list(), ["d"])
        XCTAssertEqual(try list(deleted: true), [], "not also deleted")
        XCTAssertEqual(try store.flags(user: user, namespace: ns, id: id("d")), ["PENDING"])
        XCTAssertEqual(try list(flag: "PENDING"), ["d"])
        // The retried DELETE finishes the job.
        try store.delete(user: user, namespace: ns, id: id("d"))
        XCTAssertEqual(try list(deleted: true), ["d"])
        XCTAssertFalse(FileManager.default.fileExists(atPath: path("d") + ".flags"))
    }

    /// DELETE crashed after step 2: tombstone and the old flags. The id is
    /// deleted, and a PUT of it starts with no flags.
    func testFlagsLeftByACrashedDeleteAreNotInherited() throws {
        try put("d", "old")
        try store.setFlags(["PROCESSED"], user: user, namespace: ns, id: id("d"))
        try writeFile(path("d") + ".deleted", "")
        XCTAssertEqual(unlink(path("d")), 0)
        assertStoreError(.notFound, try store.flags(user: user, namespace: ns, id: id("d")))
        XCTAssertEqual(try list(deleted: true), ["d"])
        try put("d", "new")
        XCTAssertEqual(try store.flags(user: user, namespace: ns, id: id("d")), [])
        XCTAssertEqual(try list(flag: "PROCESSED"), [])
        try store.setFlags(["FAILED"], user: user, namespace: ns, id: id("d"))
        XCTAssertEqual(try store.flags(user: user, namespace: ns, id: id("d")), ["FAILED"])
        XCTAssertEqual(try list(flag: "FAILED"), ["d"])
    }

    /// A POST that read the blob's generation before a DELETE and renamed
    /// its flags in after it: an orphan, not inherited.
    func testOrphanFlagsOfARacingPostAreNotInherited() throws {
        try put("r", "old")
        try store.setFlags(["PENDING"], user: user, namespace: ns, id: id("r"))
        guard case .value = BlobStore.readGeneration(at: path("r") + ".flags") else {
            return XCTFail("flags carry the blob's generation")
        }
        // The POST's file, renamed in after the DELETE (a hard link keeps it, attribute and all).
        XCTAssertEqual(link(path("r") + ".flags", path("r") + ".posted"), 0)
        try store.delete(user: user, namespace: ns, id: id("r"))
        XCTAssertEqual(rename(path("r") + ".posted", path("r") + ".flags"), 0)
        try put("r", "new")
        XCTAssertEqual(try store.flags(user: user, namespace: ns, id: id("r")), [])
    }

    /// Flags written by Soledad (no generation) are taken as they are.
    func testFlagsWithoutAGenerationAreRead() throws {
        try put("s", "body")
        try writeFile(path("s") + ".flags", #"["PROCESSING"]"#)
        XCTAssertEqual(try store.flags(user: user, namespace: ns, id: id("s")), ["PROCESSING"])
        XCTAssertEqual(try list(flag: "PROCESSING"), ["s"])
    }

    /// PUT crashed between link and the tombstone's removal: live, no flags.
    func testAPutAfterDeleteThatCrashedBeforeRemovingTheTombstoneIsLive() throws {
        try put("p", "old")
        try store.delete(user: user, namespace: ns, id: id("p"))
        try put("p", "new")
        try writeFile(path("p") + ".deleted", "")
        XCTAssertEqual(try read("p"), Array("new".utf8))
        XCTAssertEqual(try list(deleted: true), [])
        assertStoreError(.exists, try store.beginWrite(user: user, namespace: ns, id: id("p")))
    }

    func testCrashPointsAreParsed() {
        XCTAssertEqual(CrashPoint("delete:2"), CrashPoint(.delete, step: 2))
        XCTAssertEqual(CrashPoint("flags:1"), CrashPoint(.flags, step: 1))
        for bad in ["", "delete", "delete:0", "delete:-1", "rename:1", "delete:2:3", "delete:x"] {
            XCTAssertNil(CrashPoint(bad), bad)
        }
    }
}
