import ClusterTesting
import Foundation
import XCTest

/// A worker reads a new connection at once, before it joins the loop
/// (HTTPConnection.start): the request may be there already, or not yet;
/// either way it is answered, and a connection that stays is read again.
final class WorkerConnectionStartTests: XCTestCase {
    private var server: TestProcess!
    private var port = 0
    private var store = ""

    override func setUpWithError() throws {
        store = "/dev/shm/worker-start-\(UUID().uuidString)"
        server = try TestProcess("blob-server", ["--port", "0", "--store", store])
        port = try server.waitForListeningPort()
    }

    override func tearDown() {
        server.stop()
        try? FileManager.default.removeItem(atPath: store)
    }

    func testARequestSentLongAfterConnectingIsAnswered() throws {
        let connection = try TestConnection(port: port)
        defer { connection.close() }
        usleep(300_000)  // the worker has long accepted, read nothing, and gone back to the loop
        try connection.send("GET /healthcheck HTTP/1.1\r\nHost: x\r\n\r\n")
        XCTAssertEqual(try connection.readResponse().status, 200)
    }

    func testAConnectionAnsweredAtAcceptIsStillReadAfterwards() throws {
        let connection = try TestConnection(port: port)
        defer { connection.close() }
        try connection.send("PUT /blobs/u/startblob HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\n\r\nhello")
        XCTAssertEqual(try connection.readResponse().status, 200)
        usleep(100_000)
        try connection.send("GET /blobs/u/startblob HTTP/1.1\r\nHost: x\r\n\r\n")
        let answer = try connection.readResponse()
        XCTAssertEqual(answer.status, 200)
        XCTAssertEqual(answer.text, "hello")
    }

    func testConnectionCloseRequestsEachOnANewConnectionAreAnsweredAndClosed() throws {
        for _ in 0..<50 {
            let connection = try TestConnection(port: port)
            defer { connection.close() }
            try connection.send("GET /healthcheck HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
            XCTAssertEqual(try connection.readResponse().status, 200)
            XCTAssertTrue(connection.isClosedByPeer(), "closed after its one answer")
        }
    }
}
