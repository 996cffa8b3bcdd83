import ClusterTesting
import Foundation
import XCTest
#if canImport(Glibc)
import Glibc
#endif

/// Clients that push the worker where its buffers are full: it must wait,
/// not spin (CPU time from /proc stays low), and still answer correctly.
final class WorkerHostileClientTests: XCTestCase {
    private var server: TestProcess!
    private var port = 0
    private var store = ""

    override func setUpWithError() throws {
        // tmpfs: the namespace below is made fast enough, and big enough
        // that its listing takes a while even on a quick machine.
        store = "/dev/shm/worker-hostile-\(UUID().uuidString)"
        server = try TestProcess("blob-server", ["--port", "0", "--store", store])
        port = try server.waitForListeningPort()
    }

    override func tearDown() {
        server.stop()
        try? FileManager.default.removeItem(atPath: store)
    }

    /// Writes `count` empty blobs of user `u` straight into the store's layout.
    private func makeBlobs(_ count: Int) throws {
        for index in 0..<count {
            let id = String(format: "b%07d", index)
            let directory = "\(store)/u/default/\(id.prefix(1))/\(id.prefix(3))/\(id.prefix(6))"
            try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
            FileManager.default.createFile(atPath: "\(directory)/\(id)", contents: nil)
        }
    }

    func testRequestsPipelinedBehindASlowListingFillTheBufferWithoutSpinning() throws {
        let blobs = 100_000
        try makeBlobs(blobs)
        let pipelined = 3_000  // about 80 KB: more than a connection's input buffer holds
        let connection = try TestConnection(port: port, timeout: 60)
        try connection.send("GET /blobs/u/?order_by=date HTTP/1.1\r\nHost: x\r\n\r\n"
                            + String(repeating: "GET /healthcheck HTTP/1.1\r\nHost: x\r\n\r\n", count: pipelined))
        // While the walk runs on its own thread the loop thread has nothing
        // to do: sample its CPU from just after the requests went out until
        // the listing's first byte comes back.
        usleep(50_000)
        let loopBefore = ProcessCPU.seconds(pid: server.pid, thread: server.pid)
        let started = Date()
        var ready = pollfd(fd: connection.fd, events: Int16(POLLIN), revents: 0)
        XCTAssertEqual(poll(&ready, 1, 60_000), 1)
        let waited = Date().timeIntervalSince(started)
        let loopCPU = ProcessCPU.seconds(pid: server.pid, thread: server.pid) - loopBefore
        let listing = try connection.readResponse()
        XCTAssertGreaterThan(waited, 0.1, "listing too quick for the CPU check to mean anything")
        XCTAssertLessThan(loopCPU, 0.03 + 0.05 * waited, "loop thread used \(loopCPU) s of a \(waited) s wait")
        XCTAssertEqual(listing.status, 200)
        XCTAssertEqual(listing.text.components(separatedBy: "\"b").count - 1, blobs)
        for index in 0..<pipelined {
            let response = try connection.readResponse()
            XCTAssertEqual(response.status, 200, "request \(index)")
            XCTAssertEqual(response.text, #"{"healthy": true}"#, "request \(index)")
            if response.status != 200 { break }
        }
        try connection.send("GET / HTTP/1.1\r\nHost: x\r\n\r\n")
        XCTAssertEqual(try connection.readResponse().status, 200, "the connection is still served")
    }
}

/// A connection whose answer is still being worked out off the loop (a
/// long listing) is quiet but not idle: the idle timeout does not cut it.
final class WorkerSlowListingTests: XCTestCase {
    func testAListingLongerThanTheIdleTimeoutIsStillAnswered() throws {
        let store = "/dev/shm/worker-slow-listing-\(UUID().uuidString)"
        defer { try? FileManager.default.removeItem(atPath: store) }
        for index in 0..<60_000 {
            let id = String(format: "b%07d", index)
            let directory = "\(store)/u/default/\(id.prefix(1))/\(id.prefix(3))/\(id.prefix(6))"
            try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
            FileManager.default.createFile(atPath: "\(directory)/\(id)", contents: nil)
        }
        let server = try TestProcess("blob-server", ["--port", "0", "--store", store, "--idle-timeout", "100ms"])
        defer { server.stop() }
        // Listings one after the other, each on a new connection
        // (a client slower than 100 ms between requests is idle, rightly):
        // together they outlast the server's once-a-second sweep, so a sweep
        // comes while a connection waits for its listing.
        let port = try server.waitForListeningPort()
        let started = Date()
        var round = 0
        // As many as fill 1.5 s (listings got faster when they began to stream).
        while Date().timeIntervalSince(started) < 1.5 && round < 40 {
            round += 1
            let connection = try TestConnection(port: port, timeout: 60)
            defer { connection.close() }
            try connection.send("GET /blobs/u/?order_by=date HTTP/1.1\r\nHost: x\r\n\r\n")
            let listing = try connection.readResponse()
            XCTAssertEqual(listing.status, 200, "listing \(round)")
            XCTAssertEqual(listing.headers["vary"], "Accept-Encoding", "the plain variant says it varies too")
            XCTAssertEqual(listing.text.components(separatedBy: "\"b").count - 1, 60_000, "listing \(round)")
        }
        XCTAssertGreaterThan(Date().timeIntervalSince(started), 1.2, "the listings outlast a sweep or two")
    }
}

/// Answers given before a request's body was read (409, 404, 401) keep a
/// kept-alive connection when the body is small: the worker reads and drops
/// it, as nginx does, so pooled client connections survive; a body over
/// `--discard-body-limit` still closes the connection after the answer.
final class WorkerEarlyAnswerTests: XCTestCase {
    private var server: TestProcess!
    private var port = 0
    private var store = ""
    private var tokens = ""

    override func setUpWithError() throws {
        store = NSTemporaryDirectory() + "worker-early-\(UUID().uuidString)"
        tokens = store + ".tokens"
        try "alice:secret\n".write(toFile: tokens, atomically: true, encoding: .utf8)
        server = try TestProcess("blob-server", ["--port", "0", "--store", store, "--tokens", tokens, "--discard-body-limit", "16KiB"])
        port = try server.waitForListeningPort()
    }

    override func tearDown() {
        server.stop()
        try? FileManager.default.removeItem(atPath: store)
        try? FileManager.default.removeItem(atPath: tokens)
    }

    private let auth = "Authorization: Token \(Data("alice:secret".utf8).base64EncodedString())\r\n"

    private func put(_ path: String, body: String, headers: String = "") -> String {
        "PUT \(path) HTTP/1.1\r\nHost: x\r\n\(headers)Content-Length: \(body.utf8.count)\r\n\r\n\(body)"
    }

    func testAnswersBeforeTheBodyKeepTheConnectionForTheNextRequest() throws {
        let connection = try TestConnection(port: port)
        try connection.send(put("/blobs/alice/one", body: "first", headers: auth))
        XCTAssertEqual(try connection.readResponse().status, 200)
        // 409: the id exists; its small body is read and dropped.
        try connection.send(put("/blobs/alice/one", body: String(repeating: "x", count: 10_000), headers: auth))
        let conflict = try connection.readResponse()
        XCTAssertEqual(conflict.status, 409)
        XCTAssertTrue(conflict.keepAlive)
        try connection.send("GET /blobs/alice/one HTTP/1.1\r\nHost: x\r\n\(auth)\r\n")
        let get = try connection.readResponse()
        XCTAssertEqual(get.status, 200, "served on the same connection")
        XCTAssertEqual(get.text, "first", "the 409's body changed nothing")
        // 404: a path outside the API, with a body.
        try connection.send(put("/nowhere", body: "ignored"))
        XCTAssertEqual(try connection.readResponse().status, 404)
        // 401: no credentials; then the same connection still works.
        try connection.send(put("/blobs/alice/two", body: "no token"))
        XCTAssertEqual(try connection.readResponse().status, 401)
        try connection.send("GET / HTTP/1.1\r\nHost: x\r\n\r\n")
        XCTAssertEqual(try connection.readResponse().status, 200)
        XCTAssertEqual(try TestHTTP.request(port: port, method: "GET", path: "/blobs/alice/two",
                                            headers: [("Authorization", "Token \(Data("alice:secret".utf8).base64EncodedString())")]).status,
                       404, "the refused PUT stored nothing")
    }

    func testAnEarlyAnsweredBodyOverTheLimitClosesAfterTheAnswer() throws {
        let connection = try TestConnection(port: port)
        let body = String(repeating: "y", count: 100_000)  // over the 16 KiB limit
        try connection.send(put("/nowhere", body: body))
        let answer = try connection.readResponse()
        XCTAssertEqual(answer.status, 404)
        XCTAssertFalse(answer.keepAlive)
        XCTAssertEqual(answer.headers["connection"], "close")
        XCTAssertTrue(connection.isClosedByPeer())
    }

    func testAChunkedBodyLongerThanTheLimitClosesTheConnection() throws {
        let connection = try TestConnection(port: port)
        let chunk = String(repeating: "z", count: 8_192)
        var request = "PUT /nowhere HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n"
        for _ in 0..<4 { request += "2000\r\n\(chunk)\r\n" }  // 32 KiB
        request += "0\r\n\r\nGET / HTTP/1.1\r\nHost: x\r\n\r\n"
        try connection.send(request)
        XCTAssertEqual(try connection.readResponse().status, 404)
        XCTAssertTrue(connection.isClosedByPeer(), "the pipelined GET is not answered after a body over the limit")
    }
}
