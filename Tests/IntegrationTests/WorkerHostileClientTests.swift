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
        store = NSTemporaryDirectory() + "worker-hostile-\(UUID().uuidString)"
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
        let blobs = 25_000
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
