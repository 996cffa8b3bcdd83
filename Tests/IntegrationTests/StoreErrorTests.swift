import ClusterTesting
import Foundation
import XCTest

/// A broken store: the client gets a one-line reason without any of the
/// store's paths; the operator's log has the path.
final class StoreErrorTests: XCTestCase {
    private var server: TestProcess!
    private var port = 0
    private var store = ""

    override func setUpWithError() throws {
        store = NSTemporaryDirectory() + "store-errors-\(UUID().uuidString)"
        server = try TestProcess("blob-server", ["--port", "0", "--store", store])
        port = try server.waitForListeningPort()
    }

    override func tearDown() {
        server.stop()
        try? FileManager.default.removeItem(atPath: store)
    }

    private func assertNoStorePath(_ response: TestResponse, status: Int, file: StaticString = #filePath, line: UInt = #line) {
        XCTAssertEqual(response.status, status, response.text, file: file, line: line)
        XCTAssertFalse(response.text.contains(store), "store path in: \(response.text)", file: file, line: line)
        XCTAssertFalse(response.text.contains("/"), "a path in: \(response.text)", file: file, line: line)
        XCTAssertEqual(response.text.split(separator: "\n").count, 1, response.text, file: file, line: line)
    }

    func testAFileWhereADirectoryShouldBeIs500WithoutPaths() throws {
        // alice's default namespace is a file: no blob directory can be made under it.
        try FileManager.default.createDirectory(atPath: store + "/alice", withIntermediateDirectories: true)
        try Data("not a directory".utf8).write(to: URL(fileURLWithPath: store + "/alice/default"))
        let put = try TestHTTP.request(port: port, method: "PUT", path: "/blobs/alice/b1", body: Array("x".utf8))
        assertNoStorePath(put, status: 500)
        XCTAssertTrue(try server.waitForLine(containing: store + "/alice/default").contains("store failure"), "the log names the path")
    }

    func testARemovedStoreIsAnUnhealthy503WithoutPaths() throws {
        try FileManager.default.removeItem(atPath: store)
        assertNoStorePath(try TestHTTP.request(port: port, method: "GET", path: "/healthcheck"), status: 503)
        XCTAssertTrue(try server.waitForLine(containing: "healthcheck failed").contains(store))
    }
}
