import ClusterTesting
import Foundation
import XCTest
#if canImport(Glibc)
import Glibc
#endif

/// blob-load against real servers: it counts what really happened.
final class BlobLoadTests: XCTestCase {
    private var store = ""

    override func setUp() {
        store = NSTemporaryDirectory() + "load-\(UUID().uuidString)"
    }

    override func tearDown() {
        try? FileManager.default.removeItem(atPath: store)
    }

    private func run(_ arguments: [String]) throws -> [String: Any] {
        let process = try TestProcess("blob-load", arguments + ["--json"])
        XCTAssertEqual(process.waitForExit(timeout: 60), 0, process.output)
        let line = try XCTUnwrap(process.output.split(separator: "\n").last { $0.hasPrefix("{") }, process.output)
        return try XCTUnwrap(JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])
    }

    private func kind(_ report: [String: Any], _ name: String) -> [String: Any] {
        ((report["kinds"] as? [String: Any])?[name] as? [String: Any]) ?? [:]
    }

    func testEveryActionSucceedsAgainstARealWorker() throws {
        let server = try TestProcess("blob-server", ["--port", "0", "--store", store])
        defer { server.stop() }
        let port = try server.waitForListeningPort()
        for action in ["baseline", "list", "put", "get", "flag", "delete"] {
            let report = try run(["--action", action, "--amount", "40", "--url", "http://127.0.0.1:\(port)"])
            let expected = ["get", "flag", "delete"].contains(action) ? 80 : 40
            XCTAssertEqual(report["requests"] as? Int, expected, action)
            XCTAssertEqual(report["failures"] as? Int, 0, action)
            XCTAssertEqual(report["non2xx"] as? Int, 0, action)
        }
        let perConnection = try run(["--action", "get", "--amount", "30", "--new-connection-per-request",
                                     "--url", "http://127.0.0.1:\(port)"])
        XCTAssertEqual(perConnection["failures"] as? Int, 0)
    }

    func testStatusesAreCountedAsTheServerAnswered() throws {
        let tokens = store + "-tokens"
        try "someone:secret\n".write(toFile: tokens, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(atPath: tokens) }
        let server = try TestProcess("blob-server", ["--port", "0", "--store", store, "--tokens", tokens])
        defer { server.stop() }
        let port = try server.waitForListeningPort()
        let report = try run(["--action", "get", "--amount", "25", "--url", "http://127.0.0.1:\(port)"])
        let puts = kind(report, "PUT blob")
        XCTAssertEqual((puts["statuses"] as? [String: Int])?["401"], 25, "every PUT was refused with 401")
        XCTAssertEqual(puts["success"] as? Int, 0)
        XCTAssertTrue(kind(report, "GET blob").isEmpty, "no GET after a failed PUT")
        XCTAssertEqual(report["non2xx"] as? Int, 25)

        let missing = try run(["--action", "list", "--amount", "5", "--user", "nobody", "--url", "http://127.0.0.1:\(port)"])
        XCTAssertEqual((kind(missing, "GET list")["statuses"] as? [String: Int])?["401"], 5)
    }

    func testARefusedConnectionIsCountedNotACrash() throws {
        let socket = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        withUnsafeMutablePointer(to: &address) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
            _ = bind(socket, $0, length)
            _ = getsockname(socket, $0, &length)
        } }
        let port = Int(UInt16(bigEndian: address.sin_port))
        close(socket)  // bound once, now closed: nothing listens there
        let report = try run(["--action", "baseline", "--amount", "7", "--url", "http://127.0.0.1:\(port)"])
        XCTAssertEqual((kind(report, "GET /")["errors"] as? [String: Int])?["refused"], 7)
        XCTAssertEqual(report["failures"] as? Int, 7)
    }

    func testASilentServerIsCountedAsTimeouts() throws {
        // Listening but never accepting: connects succeed (the backlog), no answer ever comes.
        let socket = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(socket) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        withUnsafeMutablePointer(to: &address) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
            _ = bind(socket, $0, length)
            _ = getsockname(socket, $0, &length)
        } }
        listen(socket, 16)
        let port = Int(UInt16(bigEndian: address.sin_port))
        let started = Date()
        let report = try run(["--action", "put", "--amount", "4", "--concurrency", "2", "--timeout", "300ms",
                              "--url", "http://127.0.0.1:\(port)"])
        XCTAssertEqual((kind(report, "PUT blob")["errors"] as? [String: Int])?["timeout"], 4)
        XCTAssertEqual(report["failures"] as? Int, 4)
        XCTAssertLessThan(Date().timeIntervalSince(started), 10)
    }

    func testAWrongBodyIsCaughtByVerification() throws {
        let liar = try LyingServer()
        defer { liar.stop() }
        let report = try run(["--action", "get", "--amount", "5", "--concurrency", "1", "--url", "http://127.0.0.1:\(liar.port)"])
        let gets = kind(report, "GET blob")
        XCTAssertEqual((gets["statuses"] as? [String: Int])?["200"], 5)
        XCTAssertEqual((gets["errors"] as? [String: Int])?["verify"], 5)
        XCTAssertEqual(gets["success"] as? Int, 0)
    }

    func testUsageErrors() throws {
        let unknown = try TestProcess("blob-load", ["--action", "dance"])
        XCTAssertEqual(unknown.waitForExit(timeout: 10), 64)
        XCTAssertTrue(unknown.output.contains("invalid for '--action"), unknown.output)
        XCTAssertTrue(unknown.output.contains("baseline"), "the valid actions are listed")
        let badURL = try TestProcess("blob-load", ["--action", "baseline", "--url", "ftp://example.org"])
        XCTAssertEqual(badURL.waitForExit(timeout: 10), 64)
        XCTAssertTrue(badURL.output.contains("--url"))
    }
}
