@testable import BlobKit
import BlobProtocol
import Foundation
import XCTest

#if canImport(Glibc)
import Glibc
#endif

/// Writing: temp file then one link, races, abort, quota, tombstones.
final class BlobWriteTests: StoreTestCase {
    func testLayoutPathsIncludingShortIds() throws {
        for blobID in ["abcdefghij", "abcdef", "abcd", "abc", "ab", "a", "A-_9"] { try put(blobID, blobID) }
        for (blobID, relative) in [("abcdefghij", "a/abc/abcdef/abcdefghij"), ("abcdef", "a/abc/abcdef/abcdef"),
                                   ("abcd", "a/abc/abcd/abcd"), ("abc", "a/abc/abc/abc"), ("ab", "a/ab/ab/ab"),
                                   ("a", "a/a/a/a"), ("A-_9", "A/A-_/A-_9/A-_9")] {
            XCTAssertTrue(FileManager.default.fileExists(atPath: "\(root)/alice/default/\(relative)"), relative)
            XCTAssertEqual(try read(blobID), Array(blobID.utf8))
        }
        XCTAssertEqual(Set(try list()), ["abcdefghij", "abcdef", "abcd", "abc", "ab", "a", "A-_9"])
    }

    func testNamedTemporaryFileIsHiddenUntilCommit() throws {
        store = try BlobStore(root: root, durability: .processCrash, quota: nil, allowUnnamedTemporaryFiles: false)
        XCTAssertEqual(store.temporaryFiles, .named)
        let writer = try store.beginWrite(user: user, namespace: ns, id: id("pending"))
        try Array("half".utf8).withUnsafeBytes { try writer.write($0) }
        assertStoreError(.notFound, try store.open(user: user, namespace: ns, id: id("pending")))
        XCTAssertEqual(try list(), [])
        XCTAssertEqual(try store.count(user: user, namespace: ns), 0)
        let temporaries = try dotFiles()
        XCTAssertEqual(temporaries.count, 1)
        XCTAssertTrue((temporaries[0] as NSString).lastPathComponent.hasPrefix(".pending.\(getpid())-"), temporaries[0])
        try writer.commit()
        XCTAssertEqual(try read("pending"), Array("half".utf8))
        XCTAssertEqual(try dotFiles(), [], "the temporary file is unlinked after link()")
    }

    func testUnnamedTemporaryFileHasNoNameAtAll() throws {
        XCTAssertEqual(store.temporaryFiles, .unnamed, "/tmp is ext4 here: O_TMPFILE works")
        let writer = try store.beginWrite(user: user, namespace: ns, id: id("pending"))
        try Array("half".utf8).withUnsafeBytes { try writer.write($0) }
        assertStoreError(.notFound, try store.open(user: user, namespace: ns, id: id("pending")))
        XCTAssertEqual(try list(), [])
        XCTAssertEqual(try dotFiles(), [], "nothing named while the upload is in flight")
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: (path("pending") as NSString).deletingLastPathComponent), [])
        try writer.commit()
        XCTAssertEqual(try read("pending"), Array("half".utf8))
        let aborted = try store.beginWrite(user: user, namespace: ns, id: id("aborted"))
        try Array("x".utf8).withUnsafeBytes { try aborted.write($0) }
        aborted.abort()
        XCTAssertEqual(try dotFiles(), [])
        assertStoreError(.notFound, try store.open(user: user, namespace: ns, id: id("aborted")))
    }

    func testBothModesLetExactlyOneOfTwoWritersWin() throws {
        for allowUnnamed in [true, false] {
            store = try BlobStore(root: root, durability: .processCrash, quota: nil, allowUnnamedTemporaryFiles: allowUnnamed)
            let blobID = allowUnnamed ? "race-unnamed" : "race-named"
            let first = try store.beginWrite(user: user, namespace: ns, id: id(blobID))
            let second = try store.beginWrite(user: user, namespace: ns, id: id(blobID))
            try Array("one".utf8).withUnsafeBytes { try first.write($0) }
            try Array("two".utf8).withUnsafeBytes { try second.write($0) }
            try second.commit()
            assertStoreError(.exists, try first.commit())
            XCTAssertEqual(try read(blobID), Array("two".utf8))
            XCTAssertEqual(try dotFiles(), [])
        }
    }

    func testExistingIdAnswersEarly() throws {
        try put("taken", "first")
        assertStoreError(.exists, try store.beginWrite(user: user, namespace: ns, id: id("taken")))
        XCTAssertEqual(try read("taken"), Array("first".utf8))
    }

    func testTwoWritersOneWinsAndTheLoserLeavesNothing() throws {
        let first = try store.beginWrite(user: user, namespace: ns, id: id("race"))
        let second = try store.beginWrite(user: user, namespace: ns, id: id("race"))
        try [UInt8](repeating: 1, count: 100_000).withUnsafeBytes { try first.write($0) }
        try [UInt8](repeating: 2, count: 50_000).withUnsafeBytes { try second.write($0) }
        try second.commit()
        assertStoreError(.exists, try first.commit())
        XCTAssertEqual(try read("race"), [UInt8](repeating: 2, count: 50_000))
        XCTAssertEqual(try dotFiles(), [])
    }

    /// Many stores (as workers would be) on threads, racing on the same ids.
    func testRacingStoresOnThreadsExactlyOneWinsEachId() throws {
        let root = self.root
        let winners = TestLock<[String: [Int]]>([:])
        DispatchQueue.concurrentPerform(iterations: 4) { worker in
            let store = try! BlobStore(root: root, fsync: false, quota: nil)
            let user = try! BlobName(validating: "alice", kind: .user), ns = try! BlobName(validating: "default", kind: .namespace)
            for n in 0..<200 {
                let blobID = "r\(n)"
                guard let writer = try? store.beginWrite(user: user, namespace: ns, id: try! BlobName(validating: blobID, kind: .id)) else { continue }
                let body = [UInt8](repeating: UInt8(worker), count: 1000 + n)
                try! body.withUnsafeBytes { try writer.write($0) }
                do {
                    try writer.commit()
                    winners.withLock { $0[blobID, default: []].append(worker) }
                } catch {
                    XCTAssertEqual(error as? StoreError, .exists)
                }
            }
        }
        let result = winners.withLock { $0 }
        XCTAssertEqual(result.count, 200)
        for n in 0..<200 {
            let won = try XCTUnwrap(result["r\(n)"])
            XCTAssertEqual(won.count, 1, "r\(n) won by \(won)")
            XCTAssertEqual(try read("r\(n)"), [UInt8](repeating: UInt8(won[0]), count: 1000 + n), "whole, never a mix")
        }
        XCTAssertEqual(try dotFiles(), [])
    }

    func testAbortAndDroppedWriterLeaveNothing() throws {
        let writer = try store.beginWrite(user: user, namespace: ns, id: id("gone"))
        try Array("partial".utf8).withUnsafeBytes { try writer.write($0) }
        writer.abort()
        writer.abort()
        do {
            let dropped = try store.beginWrite(user: user, namespace: ns, id: id("dropped"))
            try Array("x".utf8).withUnsafeBytes { try dropped.write($0) }
        }
        XCTAssertEqual(try dotFiles(), [])
        assertStoreError(.notFound, try store.open(user: user, namespace: ns, id: id("gone")))
        XCTAssertEqual(try list(), [])
        try put("gone", "later")
        XCTAssertEqual(try read("gone"), Array("later".utf8))
    }

    func testFirstPutOfANewUserMakesEveryMissingLevel() throws {
        // user, namespace and the three prefix levels are all missing.
        let bob = name("bob", .user), other = name("other", .namespace)
        let writer = try store.beginWrite(user: bob, namespace: other, id: id("deepblob"))
        try Array("deep".utf8).withUnsafeBytes { try writer.write($0) }
        try writer.commit()
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: "\(root)/bob/other/d/dee/deepbl"), ["deepblob"])
        let blob = try store.open(user: bob, namespace: other, id: id("deepblob"))
        // closed when it goes out of scope (OpenBlob's deinit)
        XCTAssertEqual(try blob.readAll(limit: 100), Array("deep".utf8))
    }

    func testMakeDirectoriesMakesOnlyTheMissingLevelsOutermostFirst() throws {
        let base = root + "/mk"
        XCTAssertEqual(try BlobStore.makeDirectories(base + "/a/b/c"), [base, base + "/a", base + "/a/b", base + "/a/b/c"])
        XCTAssertEqual(try BlobStore.makeDirectories(base + "/a/b/c"), [], "all there: nothing made")
        XCTAssertEqual(try BlobStore.makeDirectories(base + "/a/x/y"), [base + "/a/x", base + "/a/x/y"])
        var isDirectory: ObjCBool = false
        XCTAssertTrue(FileManager.default.fileExists(atPath: base + "/a/x/y", isDirectory: &isDirectory) && isDirectory.boolValue)
        XCTAssertTrue(FileManager.default.createFile(atPath: base + "/file", contents: Data()))
        XCTAssertThrowsError(try BlobStore.makeDirectories(base + "/file/below"), "a file in the way is an error")
    }

    func testDeleteLeavesATombstoneAndPutAfterDeleteRemovesIt() throws {
        try put("d", "body")
        try store.setFlags(["PENDING"], user: user, namespace: ns, id: id("d"))
        try store.delete(user: user, namespace: ns, id: id("d"))
        XCTAssertFalse(FileManager.default.fileExists(atPath: path("d")))
        XCTAssertFalse(FileManager.default.fileExists(atPath: path("d") + ".flags"))
        XCTAssertEqual(try FileManager.default.attributesOfItem(atPath: path("d") + ".deleted")[.size] as? Int, 0)
        assertStoreError(.notFound, try store.open(user: user, namespace: ns, id: id("d")))
        assertStoreError(.notFound, try store.delete(user: user, namespace: ns, id: id("d")))
        assertStoreError(.notFound, try store.flags(user: user, namespace: ns, id: id("d")))
        XCTAssertEqual(try list(deleted: true), ["d"])
        try put("d", "again")
        XCTAssertFalse(FileManager.default.fileExists(atPath: path("d") + ".deleted"))
        XCTAssertEqual(try list(deleted: true), [])
        XCTAssertEqual(try store.flags(user: user, namespace: ns, id: id("d")), [], "the old flags went with the old blob")
        XCTAssertEqual(try read("d"), Array("again".utf8))
        assertStoreError(.notFound, try store.delete(user: user, namespace: ns, id: id("never")))
    }

    func testQuotaCountsPublishedBlobsOfEveryNamespace() throws {
        store = try BlobStore(root: root, fsync: true, quota: 10)
        try put("a", "123456")
        try put("b", "123", namespace: name("other", .namespace))
        try put("c", "1")  // 9 < 10: accepted, and overshoots
        assertStoreError(.quotaExceeded, try store.beginWrite(user: user, namespace: ns, id: id("d")))
        XCTAssertEqual(StoreError.quotaExceeded.status, 507)
        // Another user is not affected.
        let bob = name("bob", .user)
        let writer = try store.beginWrite(user: bob, namespace: ns, id: id("a"))
        try writer.commit()
        // Deleting frees space.
        try store.delete(user: user, namespace: ns, id: id("a"))
        try put("d", "12")
    }

    /// Writers that began under the quota are checked again at commit: on
    /// one worker only the first commit over the line is accepted.
    func testQuotaIsCheckedAgainAtCommit() throws {
        store = try BlobStore(root: root, fsync: false, quota: 10)
        let writers = try (0..<3).map { try store.beginWrite(user: user, namespace: ns, id: id("w\($0)")) }
        for writer in writers { try [UInt8](repeating: 7, count: 8).withUnsafeBytes { try writer.write($0) } }
        try writers[0].commit()
        try writers[1].commit()  // 8 < 10
        assertStoreError(.quotaExceeded, try writers[2].commit())  // 16 >= 10
        XCTAssertEqual(Set(try list()), ["w0", "w1"])
        XCTAssertEqual(try dotFiles(), ["alice/.usage"], "no temporary file is left, only the usage ledger")
    }

    func testFsyncModePublishesTheSame() throws {
        store = try BlobStore(root: root, fsync: true, quota: nil)
        try put("synced", "durable")
        try store.setFlags(["PROCESSED"], user: user, namespace: ns, id: id("synced"))
        XCTAssertEqual(try read("synced"), Array("durable".utf8))
        XCTAssertEqual(try store.flags(user: user, namespace: ns, id: id("synced")), ["PROCESSED"])
    }
}

/// A minimal lock for collecting results from threads in tests.
final class TestLock<Value>: @unchecked Sendable {
    private var value: Value
    private let lock = NSLock()

    init(_ value: Value) { self.value = value }

    func withLock<T>(_ body: (inout Value) throws -> T) rethrows -> T {
        lock.lock()
        defer { lock.unlock() }
        return try body(&value)
    }
}
