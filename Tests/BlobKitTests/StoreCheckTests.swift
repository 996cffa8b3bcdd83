@testable import BlobKit
import BlobProtocol
import Foundation
import XCTest

#if canImport(Glibc)
import Glibc
#endif

/// The store check on a temp store holding each kind of debris a crash
/// or an operator can leave: what it reports, and what repair removes.
final class StoreCheckTests: StoreTestCase {
    private let deadPID: Int32 = 999_999
    private let livePID: Int32 = 424_242

    private func check(repair: Bool = false, temporaryAge: Double = 3600) throws -> StoreCheckReport {
        try StoreCheck(root: root, repair: repair, temporaryAge: temporaryAge) { $0 == self.livePID }.run()
    }

    private func exists(_ path: String) -> Bool { FileManager.default.fileExists(atPath: path) }

    private func leaf(_ id: String) -> String { (path(id) as NSString).deletingLastPathComponent }

    func testAStoreTheAPIWroteIsClean() throws {
        try put("abcdef123", "one")
        try put("xy", "short id")
        try put("q", "one-character id, at q/q/q")
        try put("abcdef124", "flagged")
        try store.setFlags(["PENDING"], user: user, namespace: ns, id: id("abcdef124"))
        try put("gone", "deleted")
        try store.delete(user: user, namespace: ns, id: id("gone"))
        let report = try check()
        XCTAssertEqual(report.findings, [], report.lines.joined(separator: "\n"))
        XCTAssertEqual(report.blobs, 4)
        XCTAssertTrue(report.isClean)
        XCTAssertTrue(report.summary.hasSuffix(": clean"), report.summary)
    }

    func testTheStoresOwnTemporaryNamesAreRecognisedWithTheirWriter() {
        let blob = TemporaryName(leaf: store.temporaryName(for: id("abc")))
        let flags = TemporaryName(leaf: store.temporaryName(for: id("abc"), suffix: ".flags"))
        XCTAssertEqual(blob?.kind, .blob(id: "abc"))
        XCTAssertEqual(blob?.writerPID, getpid())
        XCTAssertEqual(flags?.kind, .flags(id: "abc"))
        XCTAssertEqual(flags?.writerPID, getpid())
        XCTAssertEqual(TemporaryName(root: ".healthcheck.77-123")?.writerPID, 77)
        XCTAssertNil(TemporaryName(leaf: ".abc"))
        XCTAssertNil(TemporaryName(leaf: ".a/b.1-2-3"))
        XCTAssertNil(TemporaryName(leaf: "abc.1-2-3"))
    }

    /// One of each: reported, one line each, and nothing touched without repair.
    func testEachKindOfDebrisIsReportedAndLeftWithoutRepair() throws {
        try put("abcdef1", "live")
        let dir = leaf("abcdef1")
        try writeFile(dir + "/.abcdef9.\(deadPID)-1-1", "partial upload")
        try writeFile(root + "/.healthcheck.\(deadPID)-5", "")
        try writeFile(dir + "/abcdef1.deleted", "")
        try writeFile(dir + "/abcdef2.flags", #"["PENDING"]"#)
        try writeFile(dir + "/notes.txt", "operator's")
        try writeFile(root + "/alice/default/q/abc/junk", "wrong depth")
        try writeFile(leaf("zzzzzz1") + "/abcdef3", "an id under another id's prefixes")
        let report = try check()
        let byKind = Dictionary(grouping: report.findings, by: \.kind).mapValues { $0.map(\.path).sorted() }
        XCTAssertEqual(byKind[.temporary], [".healthcheck.\(deadPID)-5", "alice/default/a/abc/abcdef/.abcdef9.\(deadPID)-1-1"])
        XCTAssertEqual(byKind[.tombstoneWithBlob], ["alice/default/a/abc/abcdef/abcdef1.deleted"])
        XCTAssertEqual(byKind[.flagsWithoutBlob], ["alice/default/a/abc/abcdef/abcdef2.flags"])
        XCTAssertEqual(byKind[.unknown], ["alice/default/a/abc/abcdef/notes.txt", "alice/default/q/abc", "alice/default/z/zzz/zzzzzz/abcdef3"])
        XCTAssertTrue(report.findings.allSatisfy { $0.outcome == .found })
        XCTAssertFalse(report.isClean)
        XCTAssertEqual(report.lines.count, report.findings.count + 1)
        XCTAssertTrue(report.summary.contains("temporary 2, tombstone-with-blob 1, flags-without-blob 1, stale-usage 0, unknown 3: not clean"), report.summary)
        for file in [dir + "/.abcdef9.\(deadPID)-1-1", dir + "/abcdef1.deleted", dir + "/abcdef2.flags", dir + "/notes.txt"] {
            XCTAssertTrue(exists(file), file)
        }
    }

    func testRepairRemovesWhatIsSafeAndKeepsTheRest() throws {
        try put("abcdef1", "live")
        try put("abcdef4", "flagged")
        try store.setFlags(["PROCESSED"], user: user, namespace: ns, id: id("abcdef4"))
        let dir = leaf("abcdef1")
        let old = dir + "/.abcdef9.\(deadPID)-1-1"
        let young = dir + "/.abcdef8.\(deadPID)-1-2"
        let running = dir + "/.abcdef7.flags.\(livePID)-1-3"
        for file in [old, young, running] { try writeFile(file, "partial") }
        setModified(old, seconds: Int(Date().timeIntervalSince1970) - 7200)
        setModified(running, seconds: Int(Date().timeIntervalSince1970) - 7200)
        try writeFile(dir + "/abcdef1.deleted", "")
        try writeFile(dir + "/abcdef2.flags", #"["PENDING"]"#)
        try writeFile(dir + "/notes.txt", "operator's")

        let report = try check(repair: true)
        let outcome = Dictionary(uniqueKeysWithValues: report.findings.map { (($0.path as NSString).lastPathComponent, $0.outcome) })
        XCTAssertEqual(outcome[(old as NSString).lastPathComponent], .removed)
        XCTAssertEqual(outcome[(young as NSString).lastPathComponent], .kept("younger than 3600 s"))
        XCTAssertEqual(outcome[(running as NSString).lastPathComponent], .kept("pid \(livePID) is running on this host"))
        XCTAssertEqual(outcome["abcdef1.deleted"], .removed)
        XCTAssertEqual(outcome["abcdef2.flags"], .removed)
        XCTAssertEqual(outcome["notes.txt"], .kept("left alone"))
        XCTAssertFalse(report.isClean, "kept findings leave it not clean")
        XCTAssertFalse(exists(old))
        XCTAssertTrue(exists(young) && exists(running) && exists(dir + "/notes.txt"))
        XCTAssertFalse(exists(dir + "/abcdef1.deleted") || exists(dir + "/abcdef2.flags"))
        // The blobs and real flags are untouched: the API still serves them.
        XCTAssertEqual(try read("abcdef1"), Array("live".utf8))
        XCTAssertEqual(try store.flags(user: user, namespace: ns, id: id("abcdef4")), ["PROCESSED"])
        XCTAssertEqual(try list(deleted: true), [])

        // Once the operator removes the unknown file, a repair with no age
        // bound removes the young file and keeps only the live writer's.
        try FileManager.default.removeItem(atPath: dir + "/notes.txt")
        let again = try check(repair: true, temporaryAge: 0)
        XCTAssertEqual(again.findings.map(\.outcome), [.kept("pid \(livePID) is running on this host"), .removed])
        XCTAssertFalse(exists(young))
        XCTAssertEqual(try check().findings.map(\.path), ["alice/default/a/abc/abcdef/" + (running as NSString).lastPathComponent])
    }

    func testARepairThatRemovesEverythingReportedIsClean() throws {
        try put("abcdef1", "live")
        try writeFile(leaf("abcdef1") + "/abcdef1.deleted", "")
        let report = try check(repair: true)
        XCTAssertEqual(report.findings.count, 1)
        XCTAssertTrue(report.isClean)
        XCTAssertTrue(report.summary.hasSuffix("clean after repair"), report.summary)
        XCTAssertEqual(try check().findings, [])
    }

    func testAStoreThatCannotBeReadThrows() {
        XCTAssertThrowsError(try StoreCheck(root: root + "/missing", repair: false, temporaryAge: 0).run())
    }
}
