@testable import BlobKit
import BlobProtocol
import Foundation
import XCTest

#if canImport(Glibc)
import Glibc
#endif

/// The sweep of named temporary files: only stale files of writers that
/// are gone are removed.
final class TemporaryFileSweepTests: StoreTestCase {
    private let old = Int(Date().timeIntervalSince1970) - 7200

    /// A pid no process has: the first free one above the test's own.
    private func deadPID() -> Int32 {
        var pid = getpid() + 1000
        while kill(pid, 0) == 0 || errno == EPERM { pid += 1 }
        return pid
    }

    private func temporary(_ blobID: String, pid: Int32, random: UInt32 = 7, modified: Int?) throws -> String {
        let path = (path(blobID) as NSString).deletingLastPathComponent + "/.\(blobID).\(pid)-\(random)-1"
        try writeFile(path, "partial")
        if let modified { setModified(path, seconds: modified) }
        return path
    }

    private func sweep(maxAge: Double = 3600) throws -> Int {
        try TemporaryFileSweep(store: store, maxAge: maxAge).run().get()
    }

    func testOldFileOfADeadWriterIsRemoved() throws {
        let stale = try temporary("stale", pid: deadPID(), modified: old)
        let flags = (path("stale2") as NSString).deletingLastPathComponent + "/.stale2.flags.\(deadPID())-9-3"
        try writeFile(flags, "[]")
        setModified(flags, seconds: old)
        XCTAssertEqual(try sweep(), 2)
        XCTAssertFalse(FileManager.default.fileExists(atPath: stale))
        XCTAssertFalse(FileManager.default.fileExists(atPath: flags))
    }

    func testFreshFilesAndOldFilesOfLiveWritersAreKept() throws {
        let fresh = try temporary("fresh", pid: deadPID(), modified: nil)
        let live = try temporary("live", pid: getppid(), modified: old)
        let oursNow = try temporary("ours", pid: getpid(), random: TemporaryFileSweep(store: store, maxAge: 1).ownRandom, modified: old)
        try put("blob", "kept")
        setModified(path("blob"), seconds: old)
        let notOurs = (path("x") as NSString).deletingLastPathComponent + "/.x.lock"
        try writeFile(notOurs, "")
        setModified(notOurs, seconds: old)
        XCTAssertEqual(try sweep(), 0)
        for kept in [fresh, live, oursNow, notOurs, path("blob")] {
            XCTAssertTrue(FileManager.default.fileExists(atPath: kept), kept)
        }
    }

    func testAnEarlierProcessWithOurPidIsGone() throws {
        let own = TemporaryFileSweep(store: store, maxAge: 1).ownRandom
        let earlier = try temporary("earlier", pid: getpid(), random: own &+ 1, modified: old)
        XCTAssertEqual(try sweep(), 1)
        XCTAssertFalse(FileManager.default.fileExists(atPath: earlier))
    }

    func testAnUploadInFlightIsNeverSwept() throws {
        store = try BlobStore(root: root, durability: .processCrash, quota: nil, allowUnnamedTemporaryFiles: false)
        let writer = try store.beginWrite(user: user, namespace: ns, id: id("inflight"))
        try Array("abc".utf8).withUnsafeBytes { try writer.write($0) }
        let temporary = try XCTUnwrap(try dotFiles().first)
        setModified(root + "/" + temporary, seconds: old)
        XCTAssertEqual(try sweep(maxAge: 1), 0, "our own live file, however old")
        try writer.commit()
        XCTAssertEqual(try read("inflight"), Array("abc".utf8))
    }

    func testTagsAreParsedStrictly() {
        XCTAssertEqual(TemporaryFileSweep.writer(fromTag: "12-34")?.pid, 12)
        XCTAssertEqual(TemporaryFileSweep.writer(fromTag: "12-34-5")?.random, 34)
        for bad in ["", "12", "12-", "-34", "12-34-", "a-34-5", "12-34-5-6", "12-99999999999"] {
            XCTAssertNil(TemporaryFileSweep.writer(fromTag: Substring(bad)), bad)
        }
    }

    func testIntervalIsAQuarterOfTheAgeButAtMostOnceAMinute() throws {
        XCTAssertEqual(TemporaryFileSweep(store: store, maxAge: 3600).interval, 900)
        XCTAssertEqual(TemporaryFileSweep(store: store, maxAge: 1).interval, 60)
    }
}
