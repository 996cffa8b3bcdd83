import ClusterTesting
import Foundation
import XCTest

/// The worker's HTTP/1.1 behaviour, over real sockets against a real
/// `blob-server` on 127.0.0.1: keep-alive, pipelining, HTTP/1.0, malformed
/// requests, slow and vanishing clients, descriptor hygiene.
final class WorkerProtocolTests: XCTestCase {
    private var server: TestProcess!
    private var port = 0
    private var store = ""

    override func setUpWithError() throws {
        store = NSTemporaryDirectory() + "worker-protocol-\(UUID().uuidString)"
        server = try TestProcess("blob-server", ["--port", "0", "--store", store, "--header-timeout", "1s"])
        port = try server.waitForListeningPort()
    }

    override func tearDown() {
        server.stop()
        try? FileManager.default.removeItem(atPath: store)
    }

    func testBaselineIsAnEmpty200() throws {
        let response = try TestHTTP.request(port: port, method: "GET", path: "/")
        XCTAssertEqual(response.status, 200)
        XCTAssertEqual(response.body, [])
        XCTAssertEqual(response.headers["content-length"], "0")
        XCTAssertNotNil(response.headers["date"])
    }

    func testHealthcheckSaysHealthy() throws {
        let response = try TestHTTP.request(port: port, method: "GET", path: "/healthcheck")
        XCTAssertEqual(response.status, 200)
        XCTAssertEqual(response.text, #"{"healthy": true}"#)
        XCTAssertEqual(response.headers["content-type"], "application/json")
    }

    func testKeepAliveServesManyRequestsOnOneConnection() throws {
        let connection = try TestConnection(port: port)
        for _ in 0..<50 {
            try connection.send("GET / HTTP/1.1\r\nHost: x\r\n\r\n")
            let response = try connection.readResponse()
            XCTAssertEqual(response.status, 200)
            XCTAssertTrue(response.keepAlive)
        }
    }

    func testPipelinedRequestsAreAnsweredInOrder() throws {
        let connection = try TestConnection(port: port)
        try connection.send("GET / HTTP/1.1\r\nHost: x\r\n\r\nGET /nope HTTP/1.1\r\nHost: x\r\n\r\nGET /healthcheck HTTP/1.1\r\nHost: x\r\n\r\n")
        XCTAssertEqual(try connection.readResponse().status, 200)
        XCTAssertEqual(try connection.readResponse().status, 404)
        let third = try connection.readResponse()
        XCTAssertEqual(third.status, 200)
        XCTAssertEqual(third.text, #"{"healthy": true}"#)
    }

    func testHTTP10ClosesUnlessKeepAliveIsAsked() throws {
        let plain = try TestConnection(port: port)
        try plain.send("GET / HTTP/1.0\r\n\r\n")
        let first = try plain.readResponse()
        XCTAssertEqual(first.status, 200)
        XCTAssertEqual(first.headers["connection"], "close")
        XCTAssertTrue(plain.isClosedByPeer())

        let kept = try TestConnection(port: port)
        for _ in 0..<3 {
            try kept.send("GET / HTTP/1.0\r\nConnection: keep-alive\r\n\r\n")
            let response = try kept.readResponse()
            XCTAssertEqual(response.status, 200)
            XCTAssertEqual(response.headers["connection"], "keep-alive")
        }
    }

    func testHeadAnswersHeadersOnly() throws {
        let connection = try TestConnection(port: port)
        try connection.send("HEAD /healthcheck HTTP/1.1\r\nHost: x\r\n\r\nGET / HTTP/1.1\r\nHost: x\r\n\r\n")
        let head = try connection.readResponse(toHead: true)
        XCTAssertEqual(head.status, 200)
        XCTAssertEqual(head.headers["content-length"], "17")
        XCTAssertEqual(head.body, [])
        XCTAssertEqual(try connection.readResponse().status, 200, "the next answer starts right after the head")
    }

    func testMalformedRequestsGet4xxAndACloseWhileOthersAreServed() throws {
        let bystander = try TestConnection(port: port)
        let cases: [(String, Int)] = [
            ("GARBAGE\r\n\r\n", 400),
            ("GET / HTTP/1.1\r\nHost: x\r\nContent-Length: 3\r\nTransfer-Encoding: chunked\r\n\r\n", 400),
            ("GET / HTTP/1.1\r\nHost: x\r\nContent-Length: 3\r\nContent-Length: 4\r\n\r\n", 400),
            ("GET / HTTP/1.1\r\nHost: x\r\nBad Header: y\r\n\r\n", 400),
            ("GET / HTTP/1.1\r\nHost: x\r\n folded\r\n\r\n", 400),
            ("GET / HTTP/1.1\r\n\r\n", 400),
            ("GET / HTTP/2.0\r\nHost: x\r\n\r\n", 505),
            ("GET /\(String(repeating: "a", count: 9000)) HTTP/1.1\r\nHost: x\r\n\r\n", 414),
            ("GET / HTTP/1.1\r\nHost: x\r\n" + String(repeating: "X-Filler: 0123456789\r\n", count: 2000) + "\r\n", 431),
            ("PUT /blobs/u/a HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n", 400),
        ]
        for (request, status) in cases {
            let connection = try TestConnection(port: port)
            try connection.send(request)
            let response = try connection.readResponse()
            XCTAssertEqual(response.status, status, "for \(request.prefix(60).debugDescription)")
            XCTAssertFalse(response.text.isEmpty, "an error says why")
            XCTAssertTrue(connection.isClosedByPeer(), "closed after \(request.prefix(40).debugDescription)")
        }
        try bystander.send("GET / HTTP/1.1\r\nHost: x\r\n\r\n")
        XCTAssertEqual(try bystander.readResponse().status, 200)
    }

    func testSlowlorisGets408AndIsClosed() throws {
        let slow = try TestConnection(port: port, timeout: 5)
        try slow.send("GET / HTTP/1.1\r\nHost: x\r\n")
        let started = Date()
        for _ in 0..<3 {
            usleep(400_000)
            try? slow.send("X-Drip: 1\r\n")
        }
        let response = try slow.readResponse()
        XCTAssertEqual(response.status, 408)
        XCTAssertLessThan(Date().timeIntervalSince(started), 4)
        XCTAssertEqual(try TestHTTP.request(port: port, method: "GET", path: "/").status, 200)
    }

    func testVanishingClientsLeakNoDescriptor() throws {
        _ = try TestHTTP.request(port: port, method: "GET", path: "/")
        let before = server.openDescriptorCount
        for index in 0..<40 {
            let connection = try TestConnection(port: port)
            switch index % 4 {
            case 0: try connection.send("GET / HTTP/1.1\r\nHo")
            case 1: try connection.send("PUT /blobs/u/vanish\(index) HTTP/1.1\r\nHost: x\r\nContent-Length: 100000\r\n\r\nabc")
            case 2: try connection.send("GET / HTTP/1.1\r\nHost: x\r\n\r\n")
            default: break
            }
            connection.close()
        }
        var after = -1
        for _ in 0..<50 {
            after = server.openDescriptorCount
            if after <= before { break }
            usleep(100_000)
        }
        XCTAssertLessThanOrEqual(after, before, "descriptors before \(before), after \(after)")
        XCTAssertEqual(try TestHTTP.request(port: port, method: "GET", path: "/").status, 200)
    }

    func testExpectContinueGets100BeforeTheBody() throws {
        let connection = try TestConnection(port: port)
        try connection.send("PUT /blobs/alice/continued HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\nExpect: 100-continue\r\n\r\n")
        var interim = [UInt8](repeating: 0, count: 25)
        let count = recv(connection.fd, &interim, interim.count, 0)
        XCTAssertEqual(String(decoding: interim[0..<max(count, 0)], as: UTF8.self), "HTTP/1.1 100 Continue\r\n\r\n")
        try connection.send("hello")
        XCTAssertEqual(try connection.readResponse().status, 200)
    }
}
