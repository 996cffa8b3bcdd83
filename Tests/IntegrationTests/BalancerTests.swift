import ClusterTesting
import Foundation
import XCTest

/// The real blob-balancer in front of real workers on 127.0.0.1.
final class BalancerTests: XCTestCase {
    private var group: WorkerGroup!
    private var store: String { group.store }
    private var workers: [TestProcess] { group.processes }
    private var workerPorts: [Int] { group.ports }
    private var balancer: TestProcess?

    override func setUpWithError() throws {
        group = try WorkerGroup(count: 2, storeName: "balancer")
    }

    override func tearDown() {
        balancer?.stop()
        group?.stop()
    }

    private func startBalancer(mode: String, extra: [String] = [], stdin: Pipe? = nil) throws -> Int {
        var arguments = ["--port", "0", "--mode", mode, "--check-inter", "200ms"]
        for port in workerPorts { arguments += ["--backend", "127.0.0.1:\(port)"] }
        let process = try TestProcess("blob-balancer", arguments + extra, stdin: stdin)
        balancer = process
        return try process.waitForListeningPort()
    }

    private func exerciseBlobAPI(port: Int) throws {
        let blob = (0..<50_000).map { UInt8(truncatingIfNeeded: $0 &* 31) }
        XCTAssertEqual(try TestHTTP.request(port: port, method: "PUT", path: "/blobs/alice/through", body: blob).status, 200)
        XCTAssertEqual(try TestHTTP.request(port: port, method: "GET", path: "/blobs/alice/through").body, blob)
        XCTAssertEqual(try TestHTTP.request(port: port, method: "PUT", path: "/blobs/alice/through", body: [1]).status, 409)
        XCTAssertEqual(try TestHTTP.request(port: port, method: "POST", path: "/blobs/alice/through",
                                            body: Array(#"["PENDING"]"#.utf8)).status, 200)
        XCTAssertEqual(try TestHTTP.request(port: port, method: "GET", path: "/blobs/alice/through?only_flags=1").text, #"["PENDING"]"#)
        XCTAssertEqual(try TestHTTP.request(port: port, method: "GET", path: "/blobs/alice/").text, #"["through"]"#)
        let range = try TestHTTP.request(port: port, method: "GET", path: "/blobs/alice/through", headers: [("Range", "bytes=0-9")])
        XCTAssertEqual(range.status, 206)
        XCTAssertEqual(range.body, Array(blob[0..<10]))
        XCTAssertEqual(try TestHTTP.request(port: port, method: "DELETE", path: "/blobs/alice/through").status, 200)
        XCTAssertEqual(try TestHTTP.request(port: port, method: "GET", path: "/blobs/alice/through").status, 404)
    }

    func testTheBlobAPIWorksThroughTCPMode() throws {
        try exerciseBlobAPI(port: try startBalancer(mode: "tcp"))
    }

    func testTheBlobAPIWorksThroughHTTPMode() throws {
        let port = try startBalancer(mode: "http")
        try exerciseBlobAPI(port: port)
        for _ in 0..<2 {
            let halfClosed = try TestConnection(port: port)
            try halfClosed.send("GET /healthcheck HTTP/1.1\r\nHost: x\r\n\r\n")
            halfClosed.shutdownWrite()
            XCTAssertEqual(try halfClosed.readResponse().status, 200, "a client that half-closes still gets its answer")
        }
    }

    func testHTTPModeAlternatesBackendsPerRequestOnOneConnection() throws {
        let port = try startBalancer(mode: "http", extra: ["--expose-backend"])
        let connection = try TestConnection(port: port)
        var served: [String] = []
        for _ in 0..<4 {
            try connection.send("GET / HTTP/1.1\r\nHost: x\r\n\r\n")
            let response = try connection.readResponse()
            XCTAssertEqual(response.status, 200)
            served.append(response.headers["x-backend"] ?? "")
        }
        let expected = workerPorts.map { "127.0.0.1:\($0)" }
        XCTAssertEqual(served, expected + expected)
    }

    func testWithoutExposeBackendNoAnswerNamesAWorker() throws {
        for mode in ["http", "tcp"] {
            let port = try startBalancer(mode: mode)
            let connection = try TestConnection(port: port)
            for path in ["/", "/blobs/nobody/missing"] {
                try connection.send("GET \(path) HTTP/1.1\r\nHost: x\r\n\r\n")
                let response = try connection.readResponse()
                XCTAssertEqual(response.status, path == "/" ? 200 : 404, "\(mode) \(path)")
                XCTAssertNil(response.headers["x-backend"], "\(mode) \(path)")
                XCTAssertFalse(response.headers.contains { $0.value.contains("127.0.0.1:\(workerPorts[0])") || $0.value.contains("127.0.0.1:\(workerPorts[1])") })
            }
            balancer?.stop()
        }
    }

    func testTCPModeAlternatesBackendsPerConnection() throws {
        let port = try startBalancer(mode: "tcp")
        // Each worker answers its own healthcheck; tell them apart by killing one.
        var answered = 0
        for _ in 0..<4 where try TestHTTP.request(port: port, method: "GET", path: "/").status == 200 { answered += 1 }
        XCTAssertEqual(answered, 4)
        workers[0].signal(SIGKILL)
        _ = workers[0].waitForExit(timeout: 5)
        var statuses: [Int] = []
        for _ in 0..<6 { statuses.append((try? TestHTTP.request(port: port, method: "GET", path: "/").status) ?? -1) }
        XCTAssertEqual(statuses, Array(repeating: 200, count: 6), "a refused connect is redispatched to the live worker")
    }

    func testHTTPModeSkipsAKilledBackendWithoutFailedRequests() throws {
        let port = try startBalancer(mode: "http")
        let connection = try TestConnection(port: port)
        var failures = 0
        for index in 0..<200 {
            if index == 50 {
                workers[1].signal(SIGKILL)
                _ = workers[1].waitForExit(timeout: 5)
            }
            try connection.send("GET /healthcheck HTTP/1.1\r\nHost: x\r\n\r\n")
            if (try? connection.readResponse().status) != 200 { failures += 1 }
        }
        XCTAssertEqual(failures, 0)
    }

    func testMalformedRequestsGet400AndNeverReachABackend() throws {
        let port = try startBalancer(mode: "http", extra: ["--expose-backend"])
        for request in ["GET / HTTP/1.1\r\nHost: x\r\nContent-Length: 1\r\nTransfer-Encoding: chunked\r\n\r\n",
                        "NOT HTTP\r\n\r\n",
                        "PUT /blobs/a/b HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n"] {
            let connection = try TestConnection(port: port)
            try connection.send(request)
            let response = try connection.readResponse()
            XCTAssertEqual(response.status, 400)
            XCTAssertNil(response.headers["x-backend"], "answered by the balancer itself")
        }
        XCTAssertEqual(try TestHTTP.request(port: port, method: "GET", path: "/blobs/a/b").status, 404, "nothing was stored")
    }

    func testAHugeConnectionHeaderIsAnsweredQuickly() throws {
        let port = try startBalancer(mode: "http")
        let connection = try TestConnection(port: port)
        try connection.send("GET / HTTP/1.1\r\nHost: x\r\n\r\n")
        XCTAssertEqual(try connection.readResponse().status, 200)
        // Just under the 32 KiB head limit: 16,000 tokens for the balancer to
        // scan. The best of three, so that a busy test machine does not fail
        // it (the quadratic scan took about a second every time).
        let tokens = String(repeating: "a,", count: 16_000)
        var fastest = Double.infinity
        for _ in 0..<3 {
            let started = Date()
            try connection.send("GET / HTTP/1.1\r\nHost: x\r\nConnection: \(tokens)\r\nA: 1\r\n\r\n")
            XCTAssertEqual(try connection.readResponse().status, 200)
            fastest = min(fastest, Date().timeIntervalSince(started))
        }
        XCTAssertLessThan(fastest, 0.05, "took \(fastest) s at best")
    }

    func testHTTP10WithAndWithoutHostIsServedInBothModes() throws {
        let blob = Array("from an old client".utf8)
        for mode in ["tcp", "http"] {
            let port = try startBalancer(mode: mode)
            XCTAssertEqual(try TestHTTP.request(port: port, method: "PUT", path: "/blobs/old/\(mode)", body: blob).status, 200)
            for host in ["", "Host: x\r\n"] {
                for path in ["/", "/blobs/old/\(mode)"] {
                    let connection = try TestConnection(port: port)
                    try connection.send("GET \(path) HTTP/1.0\r\n\(host)\r\n")
                    let response = try connection.readResponse()
                    XCTAssertEqual(response.status, 200, "\(mode) mode, GET \(path), \(host.isEmpty ? "no Host" : "Host")")
                    if path != "/" { XCTAssertEqual(response.body, blob, mode) }
                }
            }
            balancer?.stop()
        }
    }

    func testNoBackendUpIs503() throws {
        workers.forEach { $0.stop() }
        let port = try startBalancer(mode: "http", extra: ["--expose-backend"])
        // The first request finds both refusing (marked DOWN at once), the next finds none UP.
        for _ in 0..<2 {
            let response = try TestHTTP.request(port: port, method: "GET", path: "/")
            XCTAssertEqual(response.status, 503)
            XCTAssertNil(response.headers["x-backend"])
        }
    }

    func testAThousandIdleConnectionsDoNotStarveOthers() throws {
        let port = try startBalancer(mode: "http")
        var idle: [TestConnection] = []
        for _ in 0..<1000 { idle.append(try TestConnection(port: port)) }
        let started = Date()
        XCTAssertEqual(try TestHTTP.request(port: port, method: "GET", path: "/").status, 200)
        XCTAssertLessThan(Date().timeIntervalSince(started), 2)
        idle.forEach { $0.close() }
    }

    func testALargeBodyStreamsWithBoundedBalancerMemory() throws {
        let port = try startBalancer(mode: "http", extra: [])
        let before = balancer!.residentKiB
        let size = 64 * 1024 * 1024
        let connection = try TestConnection(port: port, timeout: 60)
        try connection.send("PUT /blobs/big/one HTTP/1.1\r\nHost: x\r\nContent-Length: \(size)\r\n\r\n")
        let chunk = [UInt8](repeating: 0x5A, count: 1 << 20)
        for _ in 0..<(size / chunk.count) { try connection.send(chunk) }
        XCTAssertEqual(try connection.readResponse().status, 200)
        let download = try TestConnection(port: port, timeout: 60)
        try download.send("GET /blobs/big/one HTTP/1.1\r\nHost: x\r\n\r\n")
        let got = try download.readResponse()
        XCTAssertEqual(got.body.count, size)
        let after = balancer!.residentKiB
        XCTAssertLessThan(after - before, 16 * 1024, "RSS grew from \(before) KiB to \(after) KiB")
    }

    func testControlChannelAddsRemovesAndEOFStops() throws {
        let pipe = Pipe()
        var arguments = ["--port", "0", "--mode", "http", "--control-fd", "0", "--check-inter", "10s", "--expose-backend"]
        arguments += ["--backend", "127.0.0.1:\(workerPorts[0])"]
        let process = try TestProcess("blob-balancer", arguments, stdin: pipe)
        balancer = process
        let port = try process.waitForListeningPort()
        XCTAssertEqual(try TestHTTP.request(port: port, method: "GET", path: "/").headers["x-backend"], "127.0.0.1:\(workerPorts[0])")
        pipe.fileHandleForWriting.write(Data("add 127.0.0.1:\(workerPorts[1])\nremove 127.0.0.1:\(workerPorts[0])\n".utf8))
        try process.waitForLine(containing: "removed")
        for _ in 0..<3 {
            XCTAssertEqual(try TestHTTP.request(port: port, method: "GET", path: "/").headers["x-backend"], "127.0.0.1:\(workerPorts[1])")
        }
        try pipe.fileHandleForWriting.close()
        XCTAssertEqual(process.waitForExit(timeout: 2), 0, "EOF on the control channel stops the balancer")
    }
}
