import ClusterTesting
import Foundation
import XCTest

/// The executables as a user meets them: `--help`, usage errors, and
/// boot failures with their exit codes.
final class CommandLineTests: XCTestCase {
    func testHelpDescribesTheServer() throws {
        let help = try TestProcess("blob-server", ["--help"])
        XCTAssertEqual(help.waitForExit(timeout: 10), 0)
        XCTAssertTrue(help.output.contains("--store"))
        XCTAssertTrue(help.output.contains("--max-body"))
    }

    func testMissingStoreIsAUsageError() throws {
        let process = try TestProcess("blob-server", ["--port", "0"])
        XCTAssertEqual(process.waitForExit(timeout: 10), 64)
        XCTAssertTrue(process.output.contains("--store"))
    }

    /// Out-of-range numbers and values that would overflow later are
    /// usage errors (64) with a message naming the flag, never a trap.
    func testOutOfRangeValuesAreUsageErrorsNamingTheFlag() throws {
        let cases: [(String, [String], String)] = [
            ("blob-server", ["--store", "/tmp/x", "--idle-timeout", "100000000000000000000s"], "--idle-timeout"),
            ("blob-server", ["--store", "/tmp/x", "--header-timeout", "0"], "--header-timeout"),
            ("blob-server", ["--store", "/tmp/x", "--max-body", "99999999999T"], "--max-body"),
            ("blob-server", ["--store", "/tmp/x", "--port", "70000"], "--port"),
            ("blob-server", ["--store", "/tmp/x", "--lifeline-fd", "-1"], "--lifeline-fd"),
            ("blob-server", ["--store", "/tmp/x", "--quota-lock-wait", "6s"], "--quota-lock-wait"),
            ("blob-server", ["--store", "/tmp/x", "--quota-lock-wait", "0"], "--quota-lock-wait"),
            ("blob-cluster", ["--store", "/tmp/x", "--graceful-timeout", "1e30"], "--graceful-timeout"),
            ("blob-cluster", ["--store", "/tmp/x", "--max-workers", "100000"], "--max-workers"),
            ("blob-cluster", ["--store", "/tmp/x", "--workers", "99999999999999999999"], "--workers"),
            ("blob-load", ["--action", "put", "--concurrency", "1000000"], "--concurrency"),
            ("blob-balancer", ["--check-inter", "1e30"], "--check-inter"),
            ("blob-balancer", ["--retries", "1000"], "--retries"),
            ("blob-balancer", ["--control-fd", "-1"], "--control-fd"),
            ("blob-balancer", ["--mode", "udp"], "--mode"),
            ("blob-balancer", ["--metrics-port", "70000"], "--metrics-port"),
            ("blob-cluster", ["--store", "/tmp/x", "--metrics-port", "99999999999999999"], "--metrics-port"),
            ("blob-cluster", ["--store", "/tmp/x", "--metrics-port", "8001"], "--metrics-port"),
            ("blob-load", ["--action", "put", "--timeout", "9999999999h"], "--timeout"),
        ]
        for (program, arguments, flag) in cases {
            let process = try TestProcess(program, arguments)
            XCTAssertEqual(process.waitForExit(timeout: 10), 64, "\(program) \(arguments)")
            XCTAssertTrue(process.output.contains(flag), "\(program) \(arguments): \(process.output)")
            XCTAssertFalse(process.output.contains("Fatal error"), process.output)
        }
    }

    func testPortInUseExits3WithOneLine() throws {
        let store = NSTemporaryDirectory() + "cli-\(UUID().uuidString)"
        defer { try? FileManager.default.removeItem(atPath: store) }
        let first = try TestProcess("blob-server", ["--port", "0", "--store", store])
        let port = try first.waitForListeningPort()
        let second = try TestProcess("blob-server", ["--port", "\(port)", "--store", store])
        XCTAssertEqual(second.waitForExit(timeout: 10), 3)
        XCTAssertTrue(second.output.contains("Address already in use"), second.output)
        XCTAssertFalse(second.output.contains("Fatal error"))
        first.stop()
    }

    func testUnwritableStoreExits3() throws {
        let second = try TestProcess("blob-server", ["--port", "0", "--store", "/proc/blobs-cannot-live-here"])
        XCTAssertEqual(second.waitForExit(timeout: 10), 3)
        XCTAssertTrue(second.output.contains("cannot start"), second.output)
    }

    func testSigtermStopsCleanly() throws {
        let store = NSTemporaryDirectory() + "cli-\(UUID().uuidString)"
        defer { try? FileManager.default.removeItem(atPath: store) }
        let server = try TestProcess("blob-server", ["--port", "0", "--store", store])
        _ = try server.waitForListeningPort()
        server.signal(SIGTERM)
        XCTAssertEqual(server.waitForExit(timeout: 5), 0)
    }
}

/// Stopping a worker does not cut a request already in flight.
final class GracefulStopTests: XCTestCase {
    func testSigtermFinishesAnUploadInFlight() throws {
        let store = NSTemporaryDirectory() + "graceful-\(UUID().uuidString)"
        defer { try? FileManager.default.removeItem(atPath: store) }
        let server = try TestProcess("blob-server", ["--port", "0", "--store", store])
        let port = try server.waitForListeningPort()
        let idle = try TestConnection(port: port)
        try idle.send("GET / HTTP/1.1\r\nHost: x\r\n\r\n")
        XCTAssertEqual(try idle.readResponse().status, 200)
        let upload = try TestConnection(port: port)
        try upload.send("PUT /blobs/u/late HTTP/1.1\r\nHost: x\r\nContent-Length: 10\r\n\r\nhello")
        usleep(100_000)
        server.signal(SIGTERM)
        usleep(100_000)
        XCTAssertTrue(idle.isClosedByPeer(), "an idle keep-alive connection is closed at once")
        try upload.send("world")
        let response = try upload.readResponse()
        XCTAssertEqual(response.status, 200)
        XCTAssertEqual(response.headers["connection"], "close")
        XCTAssertEqual(server.waitForExit(timeout: 5), 0)
        XCTAssertThrowsError(try TestConnection(port: port), "no longer accepting")
    }
}
