import ClusterTesting
import Foundation
import XCTest

/// A repeated PUT or DELETE with the key that produced the current state
/// answers the original 200; another key (or none) still gets 409 and 404.
final class IdempotencyKeyTests: XCTestCase {
    private var server: TestProcess!
    private var port = 0
    private var store = ""

    override func setUpWithError() throws {
        // /dev/shm: tmpfs takes user extended attributes, as ext4 does.
        store = "/dev/shm/blob-idempotency-\(UUID().uuidString)"
        server = try TestProcess("blob-server", ["--port", "0", "--store", store])
        port = try server.waitForListeningPort()
    }

    override func tearDown() {
        server.stop()
        try? FileManager.default.removeItem(atPath: store)
    }

    private func call(_ method: String, _ path: String, body: [UInt8]? = nil, key: String? = nil) throws -> TestResponse {
        try TestHTTP.request(port: port, method: method, path: path,
                             headers: key.map { [("Idempotency-Key", $0)] } ?? [], body: body)
    }

    func testRepeatedPutWithTheSameKeyAnswers200AndKeepsTheBlob() throws {
        let body = Array("first".utf8)
        XCTAssertEqual(try call("PUT", "/blobs/alice/k1", body: body, key: "\"put-1\"").status, 200)
        let repeated = try call("PUT", "/blobs/alice/k1", body: body, key: "\"put-1\"")
        XCTAssertEqual(repeated.status, 200, repeated.text)
        XCTAssertEqual(try call("PUT", "/blobs/alice/k1", body: Array("other".utf8), key: "put-2").status, 409)
        XCTAssertEqual(try call("PUT", "/blobs/alice/k1", body: body).status, 409, "no key: today's 409")
        XCTAssertEqual(try call("GET", "/blobs/alice/k1").text, "first")
    }

    func testRepeatedDeleteWithTheSameKeyAnswers200() throws {
        XCTAssertEqual(try call("PUT", "/blobs/alice/k2", body: Array("x".utf8)).status, 200)
        XCTAssertEqual(try call("DELETE", "/blobs/alice/k2", key: "del-1").status, 200)
        XCTAssertEqual(try call("DELETE", "/blobs/alice/k2", key: "del-1").status, 200)
        XCTAssertEqual(try call("DELETE", "/blobs/alice/k2", key: "del-2").status, 404)
        XCTAssertEqual(try call("DELETE", "/blobs/alice/k2").status, 404)
        XCTAssertEqual(try call("GET", "/blobs/alice/k2").status, 404)
    }

    func testAPutKeyDoesNotExcuseADeleteAndViceVersa() throws {
        XCTAssertEqual(try call("PUT", "/blobs/alice/k3", body: Array("x".utf8), key: "same").status, 200)
        XCTAssertEqual(try call("DELETE", "/blobs/alice/k3", key: "same").status, 200)
        // The blob is gone: the PUT's key no longer describes the state, so
        // its repeat writes the blob again, as a first PUT would.
        XCTAssertEqual(try call("PUT", "/blobs/alice/k3", body: Array("y".utf8), key: "same").status, 200)
        XCTAssertEqual(try call("GET", "/blobs/alice/k3").text, "y")
    }

    func testMalformedKeyIs400AndChangesNothing() throws {
        for bad in ["", "\"\"", String(repeating: "k", count: 256), "two words"] {
            let answer = try call("PUT", "/blobs/alice/bad", body: Array("x".utf8), key: bad)
            XCTAssertEqual(answer.status, 400, "key '\(bad.prefix(20))'")
            XCTAssertTrue(answer.text.contains("Idempotency-Key"))
        }
        XCTAssertEqual(try call("GET", "/blobs/alice/bad").status, 404)
    }
}
