import ClusterTesting
import Foundation
import XCTest

/// `GET /blobs/{user}/` of a namespace several chunks long, against a real
/// blob-server: streamed chunked (close-delimited to HTTP/1.0), exactly the
/// store's ids, in order when asked, gzip that gunzips to the same list,
/// counts with filters, HEAD without a body.
final class StreamedListingTests: XCTestCase {
    nonisolated(unsafe) private static var fixture: ListingFixture!
    private var server: TestProcess!
    private var port = 0
    private var fixture: ListingFixture { Self.fixture }

    override class func setUp() {
        // ~28 bytes of JSON per id: about 5 chunks of 64 KiB.
        fixture = try! ListingFixture(count: 12_000)
    }

    override class func tearDown() { fixture.remove() }

    override func setUpWithError() throws {
        server = try TestProcess("blob-server", ["--port", "0", "--store", fixture.store])
        port = try server.waitForListeningPort()
    }

    override func tearDown() { server.stop() }

    func testUnsortedListingStreamsExactlyTheStoresIDs() throws {
        let response = try TestHTTP.request(port: port, method: "GET", path: "/blobs/u/")
        XCTAssertEqual(response.status, 200)
        XCTAssertEqual(response.headers["transfer-encoding"], "chunked")
        XCTAssertNil(response.headers["content-length"])
        XCTAssertEqual(response.headers["vary"], "Accept-Encoding")
        let ids = try ListingFixture.decode(response.body)
        XCTAssertGreaterThan(response.body.count, 4 * 64 * 1024, "several chunks")
        XCTAssertEqual(ids.count, fixture.byDate.count, "no id twice, none missing")
        XCTAssertEqual(Set(ids), fixture.ids)
    }

    func testSortedListingsAreInModificationOrder() throws {
        for (query, expected) in [("date", fixture.byDate), ("%2Bdate", fixture.byDate), ("-date", fixture.byDate.reversed())] {
            let response = try TestHTTP.request(port: port, method: "GET", path: "/blobs/u/?order_by=\(query)")
            XCTAssertEqual(response.status, 200)
            XCTAssertEqual(response.headers["transfer-encoding"], "chunked")
            XCTAssertEqual(try ListingFixture.decode(response.body), expected, "order_by=\(query)")
        }
    }

    func testGzipStreamDecompressesToTheSameList() throws {
        for query in ["", "?order_by=-date"] {
            let response = try TestHTTP.request(port: port, method: "GET", path: "/blobs/u/\(query)",
                                                headers: [("Accept-Encoding", "gzip")])
            XCTAssertEqual(response.headers["content-encoding"], "gzip")
            XCTAssertEqual(response.headers["vary"], "Accept-Encoding")
            XCTAssertEqual(response.headers["transfer-encoding"], "chunked")
            XCTAssertEqual(Array(response.body.prefix(2)), [0x1F, 0x8B], "gzip magic")
            let ids = try ListingFixture.decode(try gunzip(response.body))
            if query.isEmpty {
                XCTAssertEqual(ids.count, fixture.byDate.count)
                XCTAssertEqual(Set(ids), fixture.ids)
            } else {
                XCTAssertEqual(ids, fixture.byDate.reversed())
            }
        }
    }

    func testPythonHTTPClientReadsTheChunkedListing() throws {
        // A client that is not ours: http.client checks each chunk's size
        // line and needs the last chunk, else it raises IncompleteRead.
        let script = """
        from http import client; import json
        c = client.HTTPConnection("127.0.0.1", \(port), timeout=30)
        c.request("GET", "/blobs/u/")
        r = c.getresponse()
        ids = json.loads(r.read())
        print(r.status, r.getheader("Transfer-Encoding"), len(ids), len(set(ids)))
        c.request("GET", "/")
        print(c.getresponse().status)
        """
        let python = try ToolRun.output(of: "/usr/bin/python3", ["-c", script])
        let output = String(decoding: python.output, as: UTF8.self)
        XCTAssertEqual(python.status, 0)
        let count = fixture.byDate.count
        XCTAssertEqual(output, "200 chunked \(count) \(count)\n200\n", "the connection is reusable after the last chunk")
    }

    func testHTTP10GetsACloseDelimitedBody() throws {
        let connection = try TestConnection(port: port)
        try connection.send("GET /blobs/u/?order_by=date HTTP/1.0\r\nConnection: keep-alive\r\n\r\n")
        let response = try connection.readResponse()
        XCTAssertEqual(response.status, 200)
        XCTAssertNil(response.headers["transfer-encoding"], "HTTP/1.0 knows no chunks")
        XCTAssertNil(response.headers["content-length"])
        XCTAssertEqual(response.headers["connection"], "close")
        XCTAssertFalse(response.keepAlive)
        XCTAssertEqual(try ListingFixture.decode(response.body), fixture.byDate)
    }

    func testOnlyCountWithFilterAndDeletedCountsWhatTheListWouldHold() throws {
        let cases: [(String, Int)] = [
            ("only_count=1", fixture.byDate.count),
            ("only_count=1&filter_flag=PENDING", fixture.pending.count),
            ("only_count=1&filter_flag=PROCESSED", 0),
            ("only_count=1&deleted=1", fixture.tombstoned.count),  // not the one next to a live blob
        ]
        for (query, expected) in cases {
            let response = try TestHTTP.request(port: port, method: "GET", path: "/blobs/u/?\(query)")
            XCTAssertEqual(response.status, 200)
            XCTAssertEqual(response.text, "{\"count\": \(expected)}", query)
            XCTAssertEqual(response.headers["content-length"], "\(response.body.count)", "a count is small: Content-Length")
        }
        let flagged = try TestHTTP.request(port: port, method: "GET", path: "/blobs/u/?filter_flag=PENDING")
        XCTAssertEqual(Set(try ListingFixture.decode(flagged.body)), fixture.pending)
        let deleted = try TestHTTP.request(port: port, method: "GET", path: "/blobs/u/?deleted=1")
        XCTAssertEqual(Set(try ListingFixture.decode(deleted.body)), fixture.tombstoned)
    }

    func testHeadOfAStreamedListingSendsNoBody() throws {
        let connection = try TestConnection(port: port)
        try connection.send("HEAD /blobs/u/ HTTP/1.1\r\nHost: x\r\n\r\n")
        let head = try connection.readResponse(toHead: true)
        XCTAssertEqual(head.status, 200)
        XCTAssertEqual(head.body, [])
        // Had any body byte been sent, this would not parse as the next answer.
        try connection.send("GET /healthcheck HTTP/1.1\r\nHost: x\r\n\r\n")
        XCTAssertEqual(try connection.readResponse().text, #"{"healthy": true}"#)
    }

    private func gunzip(_ bytes: [UInt8]) throws -> [UInt8] {
        let path = NSTemporaryDirectory() + "listing-\(UUID().uuidString).gz"
        try Data(bytes).write(to: URL(fileURLWithPath: path))
        defer { try? FileManager.default.removeItem(atPath: path) }
        let gzip = try ToolRun.output(of: "/bin/gzip", ["-dc", path])
        XCTAssertEqual(gzip.status, 0, "gzip -dc accepts the stream whole")
        return gzip.output
    }
}
