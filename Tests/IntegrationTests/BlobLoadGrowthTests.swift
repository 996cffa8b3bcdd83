import ClusterTesting
import Foundation
import XCTest

/// blob-load's options for the growth study against a real worker: ids that
/// spread over the store's prefix directories as Soledad's do, namespaces,
/// `only_count`, runs that leave the store's size as it was, and a bound in
/// time.
final class BlobLoadGrowthTests: XCTestCase {
    private var store = ""

    override func setUp() {
        store = NSTemporaryDirectory() + "load-growth-\(UUID().uuidString)"
    }

    override func tearDown() {
        try? FileManager.default.removeItem(atPath: store)
    }

    private func run(_ port: Int, _ arguments: [String]) throws -> [String: Any] {
        let process = try TestProcess("blob-load", arguments + ["--url", "http://127.0.0.1:\(port)", "--user", "g", "--json"])
        XCTAssertEqual(process.waitForExit(timeout: 60), 0, process.output)
        let line = try XCTUnwrap(process.output.split(separator: "\n").last { $0.hasPrefix("{") }, process.output)
        return try XCTUnwrap(JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])
    }

    private func kind(_ report: [String: Any], _ name: String) -> [String: Any] {
        ((report["kinds"] as? [String: Any])?[name] as? [String: Any]) ?? [:]
    }

    private func count(_ port: Int, namespace: String) throws -> Int {
        let answer = try TestHTTP.request(port: port, method: "GET", path: "/blobs/g/?only_count=1&namespace=\(namespace)")
        XCTAssertEqual(answer.status, 200)
        let object = try JSONSerialization.jsonObject(with: Data(answer.body)) as? [String: Int]
        return try XCTUnwrap(object?["count"])
    }

    func testUUIDIdsInANamespaceFillThePrefixDirectoriesAndCountIsAnswered() throws {
        let server = try TestProcess("blob-server", ["--port", "0", "--store", store])
        defer { server.stop() }
        let port = try server.waitForListeningPort()
        let fill = try run(port, ["--action", "put", "--amount", "300", "--concurrency", "20", "--size", "100", "--ids", "uuid", "--namespace", "big"])
        XCTAssertEqual(fill["failures"] as? Int, 0)
        XCTAssertEqual(try count(port, namespace: "big"), 300)
        XCTAssertEqual(try count(port, namespace: "default"), 0, "the namespace was sent with every PUT")
        let top = try FileManager.default.contentsOfDirectory(atPath: store + "/g/big")
        XCTAssertEqual(Set(top).count, 16, "300 random hex ids use all 16 first-character prefixes: \(top.sorted())")
        XCTAssertTrue(top.allSatisfy { $0.count == 1 && $0.allSatisfy(\.isHexDigit) }, "\(top)")
        let counted = try run(port, ["--action", "count", "--amount", "20", "--namespace", "big"])
        XCTAssertEqual((kind(counted, "GET count")["statuses"] as? [String: Int]), ["200": 20])
    }

    func testCleanUpLeavesTheStoreAsItWas() throws {
        let server = try TestProcess("blob-server", ["--port", "0", "--store", store])
        defer { server.stop() }
        let port = try server.waitForListeningPort()
        for action in ["put", "get", "flag", "delete"] {
            let report = try run(port, ["--action", action, "--amount", "50", "--ids", "uuid", "--clean-up"])
            XCTAssertEqual(report["failures"] as? Int, 0, action)
            let cleanups = kind(report, "DELETE cleanup")["statuses"] as? [String: Int]
            XCTAssertEqual(cleanups, action == "delete" ? nil : ["200": 50], "\(action): every blob it wrote was deleted")
            XCTAssertEqual(try count(port, namespace: "default"), 0, "\(action) left no blob")
        }
    }

    func testDurationEndsARunEarlyAndSaysHowManyActionsRan() throws {
        let server = try TestProcess("blob-server", ["--port", "0", "--store", store])
        defer { server.stop() }
        let port = try server.waitForListeningPort()
        let began = Date()
        let report = try run(port, ["--action", "put", "--amount", "100000000", "--concurrency", "2", "--duration", "0.5s", "--clean-up"])
        XCTAssertLessThan(Date().timeIntervalSince(began), 15, "bounded by --duration, not --amount")
        let actions = try XCTUnwrap(report["actions"] as? Int)
        XCTAssertGreaterThan(actions, 0)
        XCTAssertLessThan(actions, 100_000_000)
        XCTAssertEqual(kind(report, "PUT blob")["count"] as? Int, actions, "one PUT per action that ran")
        XCTAssertEqual(report["failures"] as? Int, 0)
    }

    func testBadNamespacesAndDurationsAreRefused() throws {
        for arguments in [["--namespace", "../x"], ["--namespace", ""], ["--duration", "0s"], ["--ids", "sequential"]] {
            let process = try TestProcess("blob-load", ["--action", "put"] + arguments)
            XCTAssertEqual(process.waitForExit(timeout: 10), 64, "\(arguments): \(process.output)")
        }
    }
}
