import ClusterTesting
import Foundation
import XCTest

#if canImport(Glibc)
import Glibc
#endif

/// A worker killed at every step of an upload, a DELETE or a flags POST:
/// a worker restarted on the same store finds each id in an allowed state
/// (live with its own flags, or deleted with a tombstone and no flags) and
/// no temporary file that nothing will remove.
final class CrashRecoveryTests: XCTestCase {
    /// BlobKit's CrashPoint.environmentVariable (test only).
    private static let crashVariable = "BLOB_SERVER_CRASH_AFTER"
    private var store = ""
    private var workers: [TestProcess] = []

    override func setUpWithError() throws {
        store = NSTemporaryDirectory() + "crash-recovery-\(UUID().uuidString)"
    }

    override func tearDown() {
        workers.forEach { $0.stop() }
        workers = []
        try? FileManager.default.removeItem(atPath: store)
    }

    private func startWorker(_ extra: [String] = [], environment: [String: String] = [:]) throws -> (TestProcess, Int) {
        let worker = try TestProcess("blob-server", ["--port", "0", "--store", store] + extra, environment: environment)
        workers.append(worker)
        return (worker, try worker.waitForListeningPort())
    }

    private func dotFiles() -> [String] {
        let all = (try? FileManager.default.subpathsOfDirectory(atPath: store)) ?? []
        return all.filter { ($0 as NSString).lastPathComponent.hasPrefix(".") }
    }

    /// Sends a PUT head and half its body, waits until the worker holds a
    /// file of the store open (it is writing the upload), then kills it.
    private func killMidUpload(_ extra: [String] = []) throws {
        let (worker, port) = try startWorker(extra)
        let connection = try TestConnection(port: port)
        try connection.send("PUT /blobs/alice/half HTTP/1.1\r\nHost: x\r\nContent-Length: 200000\r\n\r\n")
        try connection.send([UInt8](repeating: 65, count: 100_000))
        let deadline = Date().addingTimeInterval(10)
        while !holdsStoreFile(worker.pid) {
            guard Date() < deadline else { return XCTFail("the worker never opened a temporary file") }
            usleep(10_000)
        }
        worker.signal(SIGKILL)
        XCTAssertNotNil(worker.waitForExit(timeout: 10))
        connection.close()
    }

    private func holdsStoreFile(_ pid: Int32) -> Bool {
        let directory = "/proc/\(pid)/fd"
        let fds = (try? FileManager.default.contentsOfDirectory(atPath: directory)) ?? []
        return fds.contains { fd in
            let target = (try? FileManager.default.destinationOfSymbolicLink(atPath: directory + "/" + fd)) ?? ""
            return target.hasPrefix(store + "/alice/")
        }
    }

    func testKillNineMidUploadLeavesNothingWithUnnamedTemporaryFiles() throws {
        try killMidUpload()
        XCTAssertEqual(dotFiles(), [], "an O_TMPFILE upload leaves no file")
        let (_, port) = try startWorker()
        XCTAssertEqual(try TestHTTP.request(port: port, method: "GET", path: "/blobs/alice/half").status, 404)
        XCTAssertEqual(try TestHTTP.request(port: port, method: "PUT", path: "/blobs/alice/half", body: Array("whole".utf8)).status, 200)
    }

    func testKillNineMidUploadWithNamedFilesIsSweptByARestartedWorker() throws {
        try killMidUpload(["--named-temp-files"])
        let left = dotFiles()
        XCTAssertEqual(left.count, 1, "the named temporary file the killed worker left: \(left)")
        XCTAssertTrue(left.first.map { ($0 as NSString).lastPathComponent.hasPrefix(".half.") } ?? false, "\(left)")
        sleep(2)  // older than --temp-max-age 1s
        let (worker, port) = try startWorker(["--named-temp-files", "--temp-max-age", "1s"])
        let deadline = Date().addingTimeInterval(10)
        while !dotFiles().isEmpty && Date() < deadline { usleep(20_000) }
        XCTAssertEqual(dotFiles(), [], worker.output)
        XCTAssertTrue(try worker.waitForLine(containing: "removed 1 stale temporary files").contains("removed"))
        XCTAssertEqual(try TestHTTP.request(port: port, method: "GET", path: "/blobs/alice/half").status, 404)
    }

    // MARK: crash points of DELETE and flags POST

    private func call(_ port: Int, _ method: String, _ path: String, _ body: String? = nil) throws -> TestResponse {
        try TestHTTP.request(port: port, method: method, path: path, body: body.map { Array($0.utf8) })
    }

    private func list(_ port: Int, _ path: String) throws -> [String] {
        let response = try call(port, "GET", path)
        XCTAssertEqual(response.status, 200, path)
        return try XCTUnwrap(JSONSerialization.jsonObject(with: Data(response.body)) as? [String], response.text)
    }

    private enum Expected: Equatable {
        case live(flags: [String])
        case deleted
    }

    /// Stores `b` with ["PENDING"], crashes a worker at `crash` during
    /// `method` on it, and checks the state a new worker sees.
    private func crash(at crash: String, method: String, body: String? = nil, expect: Expected) throws {
        store = NSTemporaryDirectory() + "crash-\(crash.replacingOccurrences(of: ":", with: "-"))-\(UUID().uuidString)"
        let (setup, setupPort) = try startWorker()
        XCTAssertEqual(try call(setupPort, "PUT", "/blobs/alice/b", "body").status, 200)
        XCTAssertEqual(try call(setupPort, "POST", "/blobs/alice/b", #"["PENDING"]"#).status, 200)
        setup.stop()

        let (crashing, crashPort) = try startWorker(environment: [Self.crashVariable: crash])
        XCTAssertThrowsError(try call(crashPort, method, "/blobs/alice/b", body), "\(crash): no answer")
        XCTAssertEqual(crashing.waitForExit(timeout: 10), 137, "\(crash): the worker died at the crash point")

        let (_, port) = try startWorker()
        let get = try call(port, "GET", "/blobs/alice/b")
        let flags = try call(port, "GET", "/blobs/alice/b?only_flags=1")
        let live = try list(port, "/blobs/alice/")
        let deleted = try list(port, "/blobs/alice/?deleted=1")
        switch expect {
        case .live(let expectedFlags):
            XCTAssertEqual(get.status, 200, crash)
            XCTAssertEqual(get.text, "body", crash)
            XCTAssertEqual(try JSONSerialization.jsonObject(with: Data(flags.body)) as? [String], expectedFlags, crash)
            XCTAssertEqual(live, ["b"], crash)
            XCTAssertEqual(deleted, [], crash)
            XCTAssertEqual(try list(port, "/blobs/alice/?filter_flag=\(expectedFlags[0])"), ["b"], crash)
        case .deleted:
            XCTAssertEqual(get.status, 404, crash)
            XCTAssertEqual(flags.status, 404, crash)
            XCTAssertEqual(live, [], crash)
            XCTAssertEqual(deleted, ["b"], crash)
            XCTAssertEqual(try list(port, "/blobs/alice/?filter_flag=PENDING"), [], crash)
            XCTAssertEqual(try call(port, "PUT", "/blobs/alice/b", "again").status, 200, crash)
            XCTAssertEqual(try call(port, "GET", "/blobs/alice/b?only_flags=1").text, "[]", "\(crash): a new blob has no flags")
            XCTAssertEqual(try list(port, "/blobs/alice/?filter_flag=PENDING"), [], crash)
            XCTAssertEqual(try list(port, "/blobs/alice/?deleted=1"), [], crash)
        }
        workers.forEach { $0.stop() }
        workers = []
        try? FileManager.default.removeItem(atPath: store)
    }

    func testDeleteCrashedAfterTheTombstoneIsLive() throws {
        try crash(at: "delete:1", method: "DELETE", expect: .live(flags: ["PENDING"]))
    }

    func testDeleteCrashedAfterUnlinkingTheBlobIsDeleted() throws {
        try crash(at: "delete:2", method: "DELETE", expect: .deleted)
    }

    func testDeleteCrashedAfterUnlinkingTheFlagsIsDeleted() throws {
        try crash(at: "delete:3", method: "DELETE", expect: .deleted)
    }

    func testFlagsCrashedBeforeTheRenameKeepTheOldFlags() throws {
        try crash(at: "flags:1", method: "POST", body: #"["PROCESSED"]"#, expect: .live(flags: ["PENDING"]))
    }

    func testFlagsCrashedAfterTheRenameHaveTheNewFlags() throws {
        try crash(at: "flags:2", method: "POST", body: #"["PROCESSED"]"#, expect: .live(flags: ["PROCESSED"]))
    }

    func testPutCrashedBeforeRemovingTheTombstoneIsLiveWithoutFlags() throws {
        store = NSTemporaryDirectory() + "crash-put-\(UUID().uuidString)"
        let (setup, setupPort) = try startWorker()
        XCTAssertEqual(try call(setupPort, "PUT", "/blobs/alice/p", "old").status, 200)
        XCTAssertEqual(try call(setupPort, "POST", "/blobs/alice/p", #"["FAILED"]"#).status, 200)
        XCTAssertEqual(try call(setupPort, "DELETE", "/blobs/alice/p").status, 200)
        setup.stop()
        let (crashing, crashPort) = try startWorker(environment: [Self.crashVariable: "put:1"])
        XCTAssertThrowsError(try call(crashPort, "PUT", "/blobs/alice/p", "new"))
        XCTAssertEqual(crashing.waitForExit(timeout: 10), 137)
        let (_, port) = try startWorker()
        XCTAssertEqual(try call(port, "GET", "/blobs/alice/p").text, "new")
        XCTAssertEqual(try call(port, "GET", "/blobs/alice/p?only_flags=1").text, "[]")
        XCTAssertEqual(try list(port, "/blobs/alice/?deleted=1"), [])
        XCTAssertEqual(try call(port, "PUT", "/blobs/alice/p", "third").status, 409)
    }
}
