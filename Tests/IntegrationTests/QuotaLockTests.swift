import ClusterTesting
import Foundation
import XCTest

#if canImport(Glibc)
import Glibc
#endif

/// A worker with `--quota` whose user's ledger another process holds
/// locked (here the test: flock is per open file description) waits at
/// most `--quota-lock-wait` (200 ms), then answers the PUT or DELETE 503
/// with `Retry-After: 1`, having stored or deleted nothing; its loop keeps
/// serving other connections meanwhile, and the same request succeeds once
/// the lock is free.
final class QuotaLockTests: XCTestCase {
    private var store = ""
    private var worker: TestProcess?
    private var port = 0
    /// The test's own open of `q/.usage`, holding `LOCK_EX`, or -1.
    private var held: Int32 = -1

    override func setUpWithError() throws {
        store = NSTemporaryDirectory() + "quota-lock-\(UUID().uuidString)"
        // Named temporary files: one left behind would show in the store.
        let worker = try TestProcess("blob-server", ["--port", "0", "--store", store, "--quota", "1MiB", "--named-temp-files"])
        self.worker = worker
        port = try worker.waitForListeningPort()
        XCTAssertEqual(try TestHTTP.request(port: port, method: "PUT", path: "/blobs/q/a", body: Array("alpha".utf8)).status, 200)
    }

    override func tearDown() {
        release()
        worker?.stop()
        worker = nil
        try? FileManager.default.removeItem(atPath: store)
    }

    private func hold() throws {
        held = open(store + "/q/.usage", O_RDWR | O_CLOEXEC)
        XCTAssertGreaterThanOrEqual(held, 0, "open q/.usage")
        XCTAssertEqual(flock(held, LOCK_EX), 0, "flock q/.usage")
    }

    private func release() {
        if held >= 0 { close(held) }
        held = -1
    }

    private static func timed(_ body: () throws -> TestResponse) rethrows -> (TestResponse, Double) {
        let start = Date()
        let response = try body()
        return (response, Date().timeIntervalSince(start))
    }

    /// `request` answered 503 with Retry-After within a second, while
    /// `GET /` on another connection, sent meanwhile, is answered within
    /// the bound plus a margin (the loop is stalled by at most the bound).
    private func assertBusy(_ request: @escaping () throws -> TestResponse,
                            file: StaticString = #filePath, line: UInt = #line) throws {
        let port = self.port
        let done = DispatchSemaphore(value: 0)
        nonisolated(unsafe) var answer: (TestResponse, Double)?
        nonisolated(unsafe) let request = request
        Thread.detachNewThread {
            answer = try? Self.timed(request)
            done.signal()
        }
        usleep(50_000)  // the request is in the worker's wait now
        let (probe, probeTime) = try Self.timed { try TestHTTP.request(port: port, method: "GET", path: "/") }
        XCTAssertEqual(probe.status, 200, file: file, line: line)
        XCTAssertLessThan(probeTime, 0.6, "GET / waits for the bounded wait at most", file: file, line: line)
        XCTAssertEqual(done.wait(timeout: .now() + 15), .success, file: file, line: line)
        let (response, seconds) = try XCTUnwrap(answer, "the request got an answer", file: file, line: line)
        XCTAssertEqual(response.status, 503, file: file, line: line)
        XCTAssertEqual(response.headers["retry-after"], "1", file: file, line: line)
        XCTAssertEqual(response.text.trimmingCharacters(in: .whitespacesAndNewlines), "quota ledger busy, retry", file: file, line: line)
        XCTAssertLessThan(seconds, 1.0, "the wait is bounded", file: file, line: line)
    }

    /// Files of the store other than the ledger whose name starts with a dot.
    private func temporaryFiles() throws -> [String] {
        try FileManager.default.subpathsOfDirectory(atPath: store)
            .filter { ($0 as NSString).lastPathComponent.hasPrefix(".") && !$0.hasSuffix("/.usage") }
    }

    func testAPutGets503WhileTheLedgerStaysLockedAndSucceedsAfter() throws {
        try hold()
        let port = self.port
        try assertBusy { try TestHTTP.request(port: port, method: "PUT", path: "/blobs/q/b", body: Array("bravo".utf8)) }
        XCTAssertEqual(try TestHTTP.request(port: port, method: "GET", path: "/blobs/q/b").status, 404, "nothing stored")
        XCTAssertEqual(try temporaryFiles(), [])
        release()
        XCTAssertEqual(try TestHTTP.request(port: port, method: "PUT", path: "/blobs/q/b", body: Array("bravo".utf8)).status, 200)
        XCTAssertEqual(try TestHTTP.request(port: port, method: "GET", path: "/blobs/q/b").text, "bravo")
    }

    /// The lock taken after the body began: the commit gives up the same
    /// way and its temporary file is removed.
    func testAPutWhoseBodyArrivedBeforeTheLockGets503AtCommit() throws {
        let connection = try TestConnection(port: port)
        defer { connection.close() }
        try connection.send("PUT /blobs/q/c HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: 10\r\n\r\nchar")
        usleep(100_000)  // the early check passed: a temporary file is open
        XCTAssertEqual(try temporaryFiles().count, 1, "the upload is staged")
        try hold()
        try assertBusy {
            try connection.send("lie!!!")
            return try connection.readResponse()
        }
        XCTAssertEqual(try TestHTTP.request(port: port, method: "GET", path: "/blobs/q/c").status, 404, "nothing stored")
        XCTAssertEqual(try temporaryFiles(), [], "the temporary file is removed")
        release()
        XCTAssertEqual(try TestHTTP.request(port: port, method: "PUT", path: "/blobs/q/c", body: Array("charlie!!!".utf8)).status, 200)
    }

    func testADeleteGets503WhileTheLedgerStaysLockedAndTheBlobStaysLive() throws {
        try hold()
        let port = self.port
        try assertBusy { try TestHTTP.request(port: port, method: "DELETE", path: "/blobs/q/a") }
        XCTAssertEqual(try TestHTTP.request(port: port, method: "GET", path: "/blobs/q/a").text, "alpha", "still live")
        XCTAssertEqual(try TestHTTP.request(port: port, method: "GET", path: "/blobs/q").text.contains("\"a\""), true, "still listed")
        release()
        XCTAssertEqual(try TestHTTP.request(port: port, method: "DELETE", path: "/blobs/q/a").status, 200)
        XCTAssertEqual(try TestHTTP.request(port: port, method: "GET", path: "/blobs/q/a").status, 404)
    }
}
