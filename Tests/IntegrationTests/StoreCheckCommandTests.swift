import ClusterTesting
import Foundation
import XCTest

/// `blob-server --check-store DIR [--repair]` as an operator runs it on a
/// store a real worker wrote: the report's lines, the summary and the
/// exit codes (0 clean, 1 not, 3 unreadable).
final class StoreCheckCommandTests: XCTestCase {
    private var store = ""

    override func setUp() {
        store = "/dev/shm/store-check-\(UUID().uuidString)"
    }

    override func tearDown() {
        try? FileManager.default.removeItem(atPath: store)
    }

    private func runCheck(_ arguments: [String]) throws -> (status: Int32?, output: String) {
        let process = try TestProcess("blob-server", ["--check-store", store] + arguments)
        let status = process.waitForExit(timeout: 20)
        return (status, process.output)
    }

    func testDebrisIsReportedThenRepairedAndTheBlobsStayServed() throws {
        let server = try TestProcess("blob-server", ["--port", "0", "--store", store])
        let port = try server.waitForListeningPort()
        for id in ["abcdef1", "abcdef2", "xy"] {
            XCTAssertEqual(try TestHTTP.request(port: port, method: "PUT", path: "/blobs/alice/\(id)", body: Array(id.utf8)).status, 200)
        }
        XCTAssertEqual(try TestHTTP.request(port: port, method: "DELETE", path: "/blobs/alice/abcdef2").status, 200)
        server.stop()
        XCTAssertEqual(try runCheck([]).status, 0, "a store the worker wrote is clean")

        let leaf = store + "/alice/default/a/abc/abcdef"
        // A crash's debris: an upload in flight, a tombstone next to a live blob, flags of a deleted blob.
        XCTAssertTrue(FileManager.default.createFile(atPath: leaf + "/.abcdef3.999999-7-1", contents: Data("part".utf8)))
        XCTAssertTrue(FileManager.default.createFile(atPath: leaf + "/abcdef1.deleted", contents: nil))
        XCTAssertTrue(FileManager.default.createFile(atPath: leaf + "/abcdef2.flags", contents: Data(#"["PENDING"]"#.utf8)))

        let found = try runCheck([])
        XCTAssertEqual(found.status, 1, found.output)
        let lines = found.output.split(separator: "\n")
        XCTAssertEqual(lines.count, 4, found.output)
        XCTAssertTrue(lines.contains { $0.hasPrefix("temporary alice/default/a/abc/abcdef/.abcdef3.999999-7-1 (writer pid 999999") }, found.output)
        XCTAssertTrue(lines.contains { $0.hasPrefix("tombstone-with-blob alice/default/a/abc/abcdef/abcdef1.deleted") }, found.output)
        XCTAssertTrue(lines.contains { $0.hasPrefix("flags-without-blob alice/default/a/abc/abcdef/abcdef2.flags") }, found.output)
        XCTAssertTrue(found.output.contains("2 blobs, temporary 1, tombstone-with-blob 1, flags-without-blob 1, stale-usage 0, unknown 0: not clean"), found.output)

        // The default age bound (1h) keeps the fresh temporary file.
        let kept = try runCheck(["--repair"])
        XCTAssertEqual(kept.status, 1, kept.output)
        XCTAssertTrue(kept.output.contains("kept, younger than 3600 s"), kept.output)

        let repaired = try runCheck(["--repair", "--temporary-age", "0"])
        XCTAssertEqual(repaired.status, 0, repaired.output)
        XCTAssertTrue(repaired.output.contains("temporary 1 (1 removed)"), repaired.output)
        let clean = try runCheck([])
        XCTAssertEqual(clean.status, 0, clean.output)
        XCTAssertTrue(clean.output.hasSuffix("2 blobs, temporary 0, tombstone-with-blob 0, flags-without-blob 0, stale-usage 0, unknown 0: clean\n"), clean.output)

        let again = try TestProcess("blob-server", ["--port", "0", "--store", store])
        let againPort = try again.waitForListeningPort()
        XCTAssertEqual(try TestHTTP.request(port: againPort, method: "GET", path: "/blobs/alice/abcdef1").text, "abcdef1")
        XCTAssertEqual(try TestHTTP.request(port: againPort, method: "GET", path: "/blobs/alice/?deleted=1").text, "[\"abcdef2\"]")
        again.stop()
    }

    func testUnknownFilesAreLeftAloneAndKeepItNotClean() throws {
        try FileManager.default.createDirectory(atPath: store + "/alice/default/a", withIntermediateDirectories: true)
        XCTAssertTrue(FileManager.default.createFile(atPath: store + "/alice/default/a/README", contents: nil))
        let result = try runCheck(["--repair", "--temporary-age", "0"])
        XCTAssertEqual(result.status, 1, result.output)
        XCTAssertTrue(result.output.contains("unknown alice/default/a/README (not a prefix directory of the layout): kept, left alone"), result.output)
        XCTAssertTrue(FileManager.default.fileExists(atPath: store + "/alice/default/a/README"))
    }

    func testAMissingStoreExits3() throws {
        let result = try runCheck([])
        XCTAssertEqual(result.status, 3, result.output)
        XCTAssertTrue(result.output.contains("cannot read the store"), result.output)
    }

    func testRepairWithoutCheckStoreIsAUsageError() throws {
        let process = try TestProcess("blob-server", ["--store", store, "--repair"])
        XCTAssertEqual(process.waitForExit(timeout: 10), 64)
        XCTAssertTrue(process.output.contains("--check-store"), process.output)
    }
}
