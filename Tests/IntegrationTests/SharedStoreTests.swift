import ClusterTesting
import Foundation
import XCTest

/// The cross-process guarantees of API.md: several workers on one store.
final class SharedStoreTests: XCTestCase {
    private var store = ""
    private var workers: [TestProcess] = []
    private var ports: [Int] = []

    override func setUpWithError() throws {
        store = NSTemporaryDirectory() + "shared-store-\(UUID().uuidString)"
        for _ in 0..<2 {
            let worker = try TestProcess("blob-server", ["--port", "0", "--store", store])
            ports.append(try worker.waitForListeningPort())
            workers.append(worker)
        }
    }

    override func tearDown() {
        workers.forEach { $0.stop() }
        try? FileManager.default.removeItem(atPath: store)
    }

    func testAPutOnOneWorkerIsVisibleOnTheOther() throws {
        XCTAssertEqual(try TestHTTP.request(port: ports[0], method: "PUT", path: "/blobs/u/seen", body: Array("x".utf8)).status, 200)
        XCTAssertEqual(try TestHTTP.request(port: ports[1], method: "GET", path: "/blobs/u/seen").text, "x")
        XCTAssertEqual(try TestHTTP.request(port: ports[1], method: "GET", path: "/blobs/u/").text, #"["seen"]"#)
    }

    func testRacingPutsOfOneIdGiveOne200AndOne409AndAWholeBody() throws {
        let body0 = [UInt8](repeating: 0x41, count: 200_000)
        let body1 = [UInt8](repeating: 0x42, count: 200_000)
        for round in 0..<20 {
            let path = "/blobs/u/race\(round)"
            let connections = try ports.map { try TestConnection(port: $0) }
            let heads = [body0, body1].map { "PUT \(path) HTTP/1.1\r\nHost: x\r\nContent-Length: \($0.count)\r\n\r\n" }
            // Both heads first, so both workers have begun before either body ends.
            for (connection, head) in zip(connections, heads) { try connection.send(head) }
            let group = DispatchGroup()
            for (connection, body) in zip(connections, [body0, body1]) {
                DispatchQueue.global().async(group: group) { try? connection.send(body) }
            }
            group.wait()
            let statuses = try connections.map { try $0.readResponse().status }.sorted()
            XCTAssertEqual(statuses, [200, 409], "round \(round)")
            let got = try TestHTTP.request(port: ports[round % 2], method: "GET", path: path).body
            XCTAssertTrue(got == body0 || got == body1, "a whole body, never a mix")
        }
    }

    func testKillDashNineMidUploadLeavesNothingVisible() throws {
        let connection = try TestConnection(port: ports[0])
        try connection.send("PUT /blobs/u/crash HTTP/1.1\r\nHost: x\r\nContent-Length: 1000000\r\n\r\n")
        try connection.send([UInt8](repeating: 0x43, count: 300_000))
        usleep(200_000)
        workers[0].signal(SIGKILL)
        XCTAssertNotNil(workers[0].waitForExit(timeout: 5))
        XCTAssertEqual(try TestHTTP.request(port: ports[1], method: "GET", path: "/blobs/u/crash").status, 404)
        XCTAssertEqual(try TestHTTP.request(port: ports[1], method: "GET", path: "/blobs/u/").text, "[]")
        XCTAssertEqual(try TestHTTP.request(port: ports[1], method: "PUT", path: "/blobs/u/crash", body: Array("ok".utf8)).status, 200)
    }
}

/// Options that change the contract: tokens, quota, fsync.
final class WorkerOptionsTests: XCTestCase {
    private var store = ""

    override func setUp() {
        store = NSTemporaryDirectory() + "options-\(UUID().uuidString)"
    }

    override func tearDown() {
        try? FileManager.default.removeItem(atPath: store)
    }

    func testTokensRequireTheOwnersCredentials() throws {
        try FileManager.default.createDirectory(atPath: store, withIntermediateDirectories: true)
        let tokens = store + "/../tokens-\(UUID().uuidString)"
        try "alice:s3cret\nbob:hunter2\n".write(toFile: tokens, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(atPath: tokens) }
        let server = try TestProcess("blob-server", ["--port", "0", "--store", store, "--tokens", tokens])
        defer { server.stop() }
        let port = try server.waitForListeningPort()
        let alice = "Token " + Data("alice:s3cret".utf8).base64EncodedString()
        let basic = "Basic " + Data("alice:s3cret".utf8).base64EncodedString()
        let wrong = "Token " + Data("alice:guess".utf8).base64EncodedString()
        let none = try TestHTTP.request(port: port, method: "GET", path: "/blobs/alice/")
        XCTAssertEqual(none.status, 401)
        XCTAssertNotNil(none.headers["www-authenticate"])
        XCTAssertEqual(try TestHTTP.request(port: port, method: "GET", path: "/blobs/alice/", headers: [("Authorization", wrong)]).status, 401)
        XCTAssertEqual(try TestHTTP.request(port: port, method: "PUT", path: "/blobs/alice/a", headers: [("Authorization", alice)], body: [1]).status, 200)
        XCTAssertEqual(try TestHTTP.request(port: port, method: "GET", path: "/blobs/alice/a", headers: [("Authorization", basic)]).status, 200)
        XCTAssertEqual(try TestHTTP.request(port: port, method: "GET", path: "/blobs/bob/", headers: [("Authorization", alice)]).status, 403)
        XCTAssertEqual(try TestHTTP.request(port: port, method: "GET", path: "/").status, 200)
        XCTAssertEqual(try TestHTTP.request(port: port, method: "GET", path: "/healthcheck").status, 200)
    }

    func testQuotaGives507OnceTheUserIsFull() throws {
        let server = try TestProcess("blob-server", ["--port", "0", "--store", store, "--quota", "10KiB"])
        defer { server.stop() }
        let port = try server.waitForListeningPort()
        let blob = [UInt8](repeating: 1, count: 4096)
        var statuses: [Int] = []
        for index in 0..<5 {
            statuses.append(try TestHTTP.request(port: port, method: "PUT", path: "/blobs/q/b\(index)", body: blob).status)
        }
        XCTAssertEqual(statuses.filter { $0 == 200 }.count, 3, "10 KiB holds two 4 KiB blobs, plus one in flight: \(statuses)")
        XCTAssertEqual(statuses.last, 507)
        XCTAssertEqual(try TestHTTP.request(port: port, method: "PUT", path: "/blobs/other/b", body: blob).status, 200)
    }

    func testFsyncModeStoresBlobs() throws {
        let server = try TestProcess("blob-server", ["--port", "0", "--store", store, "--fsync"])
        defer { server.stop() }
        let port = try server.waitForListeningPort()
        XCTAssertEqual(try TestHTTP.request(port: port, method: "PUT", path: "/blobs/s/synced", body: Array("durable".utf8)).status, 200)
        XCTAssertEqual(try TestHTTP.request(port: port, method: "GET", path: "/blobs/s/synced").text, "durable")
    }
}

/// A huge listing walks the store off the loop: other clients keep being
/// served while it runs.
final class LargeListingTests: XCTestCase {
    func testOtherClientsAreServedWhileAHugeNamespaceIsListed() throws {
        let store = NSTemporaryDirectory() + "large-listing-\(UUID().uuidString)"
        defer { try? FileManager.default.removeItem(atPath: store) }
        let directory = store + "/big/default/a/aaa/aaaaaa"
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        let count = 30_000
        for index in 0..<count { FileManager.default.createFile(atPath: "\(directory)/aaaaaa\(index)", contents: nil) }
        let server = try TestProcess("blob-server", ["--port", "0", "--store", store])
        defer { server.stop() }
        let port = try server.waitForListeningPort()
        let lister = try TestConnection(port: port, timeout: 60)
        let started = Date()
        try lister.send("GET /blobs/big/?only_count=1 HTTP/1.1\r\nHost: x\r\n\r\nGET /blobs/big/ HTTP/1.1\r\nHost: x\r\n\r\n")
        var slowest = 0.0
        var served = 0
        let probe = try TestConnection(port: port)
        for _ in 0..<50 {
            let sent = Date()
            try probe.send("GET / HTTP/1.1\r\nHost: x\r\n\r\n")
            XCTAssertEqual(try probe.readResponse().status, 200)
            slowest = max(slowest, Date().timeIntervalSince(sent))
            served += 1
        }
        XCTAssertEqual(try lister.readResponse().text, "{\"count\": \(count)}")
        let listing = try lister.readResponse()
        let listed = Date().timeIntervalSince(started)
        let ids = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(listing.body)) as? [String])
        XCTAssertEqual(ids.count, count)
        XCTAssertEqual(served, 50)
        XCTAssertLessThan(slowest, 0.1, "GET / waited \(slowest) s while listing took \(listed) s")
    }
}
