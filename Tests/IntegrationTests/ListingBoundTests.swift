import ClusterTesting
import Foundation
import XCTest

/// The worker's bound on listings, against a real blob-server with a
/// namespace of ~6 MiB of JSON: at most --max-listings walk at once, up to
/// --listing-queue more wait, the rest get 503 with Retry-After at once;
/// a client that stops reading holds its slot (the walk waits for it
/// instead of buffering), one that leaves frees it with its descriptors;
/// other clients are answered meanwhile; the balancer relays the chunks.
final class ListingBoundTests: XCTestCase {
    nonisolated(unsafe) private static var fixture: ListingFixture!
    private var fixture: ListingFixture { Self.fixture }
    private var processes: [TestProcess] = []

    override class func setUp() {
        // 128-character ids: ~6 MiB of JSON, more than the connection's
        // window plus the socket buffers (loopback autotunes the send
        // buffer up to tcp_wmem's 4 MiB) that a reader taking nothing fills.
        fixture = try! ListingFixture(count: 48_000, idLength: 128)
    }

    override class func tearDown() { fixture.remove() }

    override func tearDown() {
        processes.forEach { $0.stop() }
        processes = []
    }

    private func startWorker(_ extra: [String]) throws -> (TestProcess, Int) {
        let worker = try TestProcess("blob-server", ["--port", "0", "--store", fixture.store] + extra)
        processes.append(worker)
        return (worker, try worker.waitForListeningPort())
    }

    /// A listing whose client reads nothing: it stays in the middle.
    private func stalledListing(port: Int) throws -> TestConnection {
        let connection = try TestConnection(port: port, timeout: 20, receiveBuffer: 4096)
        try connection.send("GET /blobs/u/ HTTP/1.1\r\nHost: x\r\n\r\n")
        Thread.sleep(forTimeInterval: 0.5)  // admitted, its first chunks made
        return connection
    }

    func testBeyondRunningAndQueuedListingsGet503WhileTheAdmittedComplete() throws {
        let (_, port) = try startWorker(["--max-listings", "1", "--listing-queue", "1"])
        let running = try stalledListing(port: port)
        let queued = try TestConnection(port: port, timeout: 20)
        try queued.send("GET /blobs/u/?order_by=date HTTP/1.1\r\nHost: x\r\n\r\n")
        Thread.sleep(forTimeInterval: 0.2)
        for _ in 0..<3 {
            let started = Date()
            let refused = try TestHTTP.request(port: port, method: "GET", path: "/blobs/u/?only_count=1")
            XCTAssertEqual(refused.status, 503)
            XCTAssertEqual(refused.headers["retry-after"], "1")
            XCTAssertTrue(refused.text.hasPrefix("too many listings"), refused.text)
            XCTAssertEqual(refused.text.filter { $0 == "\n" }.count, 1, "one line")
            XCTAssertLessThan(Date().timeIntervalSince(started), 1, "refused at once, not queued")
        }
        // Other clients keep being answered promptly meanwhile.
        let started = Date()
        XCTAssertEqual(try TestHTTP.request(port: port, method: "GET", path: "/").status, 200)
        XCTAssertLessThan(Date().timeIntervalSince(started), 0.5)
        // The admitted listing, then the queued one, complete whole.
        let first = try running.readResponse()
        XCTAssertEqual(first.status, 200)
        XCTAssertEqual(Set(try ListingFixture.decode(first.body)), fixture.ids)
        let second = try queued.readResponse()
        XCTAssertEqual(second.status, 200)
        XCTAssertEqual(try ListingFixture.decode(second.body), fixture.byDate)
    }

    func testAClientLeavingMidListingFreesItsSlotAndDescriptors() throws {
        let (worker, port) = try startWorker(["--max-listings", "1", "--listing-queue", "0", "--log-level", "debug"])
        // The start-up sweep of temporary files walks the store too (on its
        // own thread, begun once the worker listens): wait for its end.
        _ = try worker.waitForLine(containing: "temporary file sweep done", timeout: 10)
        XCTAssertEqual(storeDirectories(of: worker), 0, "nothing open in the store before the listing")
        let leaving = try stalledListing(port: port)
        XCTAssertEqual(try TestHTTP.request(port: port, method: "GET", path: "/blobs/u/").status, 503, "the slot is held")
        // Namespace, {id[0:1]}, {id[0:3]}, {id[0:6]}: at most those four, and
        // at least the namespace's while the walk is paused mid-way (fewer
        // than four when it paused between two leaf directories).
        let held = storeDirectories(of: worker)
        XCTAssertTrue((1...4).contains(held), "the walk holds depth + 1 directories, no more: \(held)")
        leaving.close()
        var admitted: TestResponse?
        let deadline = Date().addingTimeInterval(3)
        while Date() < deadline {
            let response = try TestHTTP.request(port: port, method: "GET", path: "/blobs/u/?only_count=1")
            if response.status == 200 { admitted = response; break }
            Thread.sleep(forTimeInterval: 0.05)
        }
        XCTAssertEqual(admitted?.text, "{\"count\": \(fixture.byDate.count)}", "the next listing is admitted")
        XCTAssertTrue(waitUntil { self.storeDirectories(of: worker) == 0 }, "no directory of the abandoned walk left open")
    }

    /// Descriptors the worker holds open in the store (a walk's directories).
    private func storeDirectories(of worker: TestProcess) -> Int {
        let fds = (try? FileManager.default.contentsOfDirectory(atPath: "/proc/\(worker.pid)/fd")) ?? []
        return fds.filter { fd in
            let target = try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/\(worker.pid)/fd/\(fd)")
            return target?.hasPrefix(fixture.store) ?? false
        }.count
    }

    private func waitUntil(seconds: Double = 5, _ condition: () -> Bool) -> Bool {
        let deadline = Date().addingTimeInterval(seconds)
        while Date() < deadline {
            if condition() { return true }
            Thread.sleep(forTimeInterval: 0.05)
        }
        return condition()
    }

    func testTheHTTPBalancerRelaysAChunkedListing() throws {
        let (_, workerPort) = try startWorker([])
        let balancer = try TestProcess("blob-balancer", ["--port", "0", "--mode", "http", "--check-inter", "200ms",
                                                         "--backend", "127.0.0.1:\(workerPort)"])
        processes.append(balancer)
        let port = try balancer.waitForListeningPort()
        let connection = try TestConnection(port: port, timeout: 20)
        for query in ["", "?order_by=-date"] {
            try connection.send("GET /blobs/u/\(query) HTTP/1.1\r\nHost: x\r\n\r\n")
            let response = try connection.readResponse()
            XCTAssertEqual(response.status, 200)
            XCTAssertEqual(response.headers["transfer-encoding"], "chunked")
            XCTAssertTrue(response.keepAlive)
            let ids = try ListingFixture.decode(response.body)
            if query.isEmpty { XCTAssertEqual(Set(ids), fixture.ids) } else { XCTAssertEqual(ids, fixture.byDate.reversed()) }
        }
        try connection.send("HEAD /blobs/u/ HTTP/1.1\r\nHost: x\r\n\r\n")
        let head = try connection.readResponse(toHead: true)
        XCTAssertEqual(head.status, 200)
        XCTAssertEqual(head.body, [])
        // Any body byte after the HEAD's head would spoil this next answer.
        try connection.send("GET /blobs/u/?only_count=1 HTTP/1.1\r\nHost: x\r\n\r\n")
        XCTAssertEqual(try connection.readResponse().text, "{\"count\": \(fixture.byDate.count)}")
    }
}
