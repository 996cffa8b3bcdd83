import ClusterTesting
import Foundation
import XCTest

/// Every endpoint of API.md against a real `blob-server` on 127.0.0.1, or
/// against any blob server already listening on a loopback port (see
/// `BlobAPITarget`): `scripts/multihost.sh --check` points these same tests at
/// its multi-host front. Each test works under users of its own (`alice`,
/// `bob`, `zed` with a random suffix), so a shared, long-lived store and other
/// tests' blobs do not matter.
final class BlobAPITests: XCTestCase {
    private var target: BlobAPITarget!
    private var port: Int { target.port }
    private var store: String { target.store }
    private let run = String(UUID().uuidString.prefix(8)).lowercased()
    private var alice: String { "alice-\(run)" }
    private var bob: String { "bob-\(run)" }
    private var zed: String { "zed-\(run)" }

    override func setUpWithError() throws {
        target = try BlobAPITarget.fromEnvironment() ?? BlobAPITarget.ownServer(maxBody: 1 << 20)
    }

    override func tearDown() {
        target?.stop()
        target = nil  // XCTest keeps every test case alive to the end: this frees its log
    }

    private func call(_ method: String, _ path: String, body: [UInt8]? = nil, headers: [(String, String)] = []) throws -> TestResponse {
        try TestHTTP.request(port: port, method: method, path: path, headers: headers, body: body)
    }

    private func put(_ path: String, _ text: String) throws -> Int {
        try call("PUT", path, body: Array(text.utf8)).status
    }

    func testPutThenGetReturnsTheExactBytesWithTagAndETag() throws {
        let blob = (0..<3000).map { UInt8(truncatingIfNeeded: $0 * 7) }
        XCTAssertEqual(try call("PUT", "/blobs/\(alice)/b1", body: blob).status, 200)
        let got = try call("GET", "/blobs/\(alice)/b1")
        XCTAssertEqual(got.status, 200)
        XCTAssertEqual(got.body, blob)
        XCTAssertEqual(got.headers["content-length"], "3000")
        let expectedTag = Data(blob.suffix(16)).base64EncodedString()
            .replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_")
        XCTAssertEqual(got.headers["tag"], expectedTag)
        XCTAssertEqual(got.headers["tag"]?.count, 24)
        XCTAssertNotNil(got.headers["etag"])
    }

    func testShortBlobTagIsTheWholeBlob() throws {
        XCTAssertEqual(try put("/blobs/\(alice)/short", "abc"), 200)
        XCTAssertEqual(try call("GET", "/blobs/\(alice)/short").headers["tag"], "YWJj")
    }

    func testSecondPutOfAnIdIs409AndKeepsTheFirstContent() throws {
        XCTAssertEqual(try put("/blobs/\(alice)/dup", "first"), 200)
        XCTAssertEqual(try put("/blobs/\(alice)/dup", "second"), 409)
        XCTAssertEqual(try call("GET", "/blobs/\(alice)/dup").text, "first")
    }

    func testMissingBlobIs404() throws {
        XCTAssertEqual(try call("GET", "/blobs/\(alice)/none").status, 404)
        XCTAssertEqual(try call("DELETE", "/blobs/\(alice)/none").status, 404)
        XCTAssertEqual(try call("GET", "/blobs/\(alice)/none?only_flags=1").status, 404)
        XCTAssertEqual(try call("POST", "/blobs/\(alice)/none", body: Array(#"["PENDING"]"#.utf8)).status, 404)
    }

    func testRanges() throws {
        XCTAssertEqual(try put("/blobs/\(alice)/r", "0123456789"), 200)
        let cases: [(String, Int, String?, String?)] = [
            ("bytes=2-5", 206, "2345", "bytes 2-5/10"),
            ("bytes=7-", 206, "789", "bytes 7-9/10"),
            ("bytes=-3", 206, "789", "bytes 7-9/10"),
            ("bytes=8-100", 206, "89", "bytes 8-9/10"),
            ("bytes=10-", 416, nil, "bytes */10"),
            ("bytes=5-2", 416, nil, "bytes */10"),
            ("bytes=abc", 416, nil, "bytes */10"),
        ]
        for (range, status, body, contentRange) in cases {
            let response = try call("GET", "/blobs/\(alice)/r", headers: [("Range", range)])
            XCTAssertEqual(response.status, status, range)
            if let body { XCTAssertEqual(response.text, body, range) }
            XCTAssertEqual(response.headers["content-range"], contentRange, range)
        }
    }

    func testIfNoneMatchGives304() throws {
        XCTAssertEqual(try put("/blobs/\(alice)/cached", "payload"), 200)
        let etag = try XCTUnwrap(call("GET", "/blobs/\(alice)/cached").headers["etag"])
        let again = try call("GET", "/blobs/\(alice)/cached", headers: [("If-None-Match", etag)])
        XCTAssertEqual(again.status, 304)
        XCTAssertEqual(again.body, [])
        XCTAssertEqual(try call("GET", "/blobs/\(alice)/cached", headers: [("If-None-Match", "\"other\"")]).status, 200)
    }

    func testFlagsAreReplacedAndValidated() throws {
        XCTAssertEqual(try put("/blobs/\(alice)/f", "x"), 200)
        XCTAssertEqual(try call("GET", "/blobs/\(alice)/f?only_flags=1").text, "[]")
        XCTAssertEqual(try call("POST", "/blobs/\(alice)/f", body: Array(#"["PENDING", "PROCESSING"]"#.utf8)).status, 200)
        let flags = try call("GET", "/blobs/\(alice)/f?only_flags=True")
        XCTAssertEqual(flags.headers["content-type"], "application/json")
        XCTAssertEqual(try JSONSerialization.jsonObject(with: Data(flags.body)) as? [String], ["PENDING", "PROCESSING"])
        XCTAssertEqual(try call("POST", "/blobs/\(alice)/f", body: Array(#"["PENDING", "BOGUS"]"#.utf8)).status, 406)
        XCTAssertEqual(try call("POST", "/blobs/\(alice)/f", body: Array(#"{"flag": 1}"#.utf8)).status, 400)
        XCTAssertEqual(try call("POST", "/blobs/\(alice)/f", body: Array("not json".utf8)).status, 400)
        let unchanged = try call("GET", "/blobs/\(alice)/f?only_flags=1")
        XCTAssertEqual(try JSONSerialization.jsonObject(with: Data(unchanged.body)) as? [String], ["PENDING", "PROCESSING"])
    }

    func testDeleteLeavesATombstoneAndAPutAfterwardsWorks() throws {
        XCTAssertEqual(try put("/blobs/\(alice)/d", "doomed"), 200)
        XCTAssertEqual(try call("DELETE", "/blobs/\(alice)/d").status, 200)
        XCTAssertEqual(try call("GET", "/blobs/\(alice)/d").status, 404)
        XCTAssertEqual(try listing("/blobs/\(alice)/?deleted=1"), ["d"])
        XCTAssertEqual(try listing("/blobs/\(alice)/"), [])
        XCTAssertEqual(try put("/blobs/\(alice)/d", "reborn"), 200)
        XCTAssertEqual(try call("GET", "/blobs/\(alice)/d").text, "reborn")
        XCTAssertEqual(try listing("/blobs/\(alice)/?deleted=1"), [])
    }

    private func listing(_ path: String) throws -> [String] {
        let response = try call("GET", path)
        XCTAssertEqual(response.status, 200, path)
        return try XCTUnwrap(JSONSerialization.jsonObject(with: Data(response.body)) as? [String], response.text)
    }

    func testListingByNamespaceFlagAndDate() throws {
        for id in ["c", "a", "b"] {
            XCTAssertEqual(try put("/blobs/\(alice)/\(id)", id), 200)
            usleep(20_000)  // distinct modification times
        }
        XCTAssertEqual(try put("/blobs/\(alice)/other?namespace=ns2", "o"), 200)
        XCTAssertEqual(try call("POST", "/blobs/\(alice)/a", body: Array(#"["PROCESSED"]"#.utf8)).status, 200)
        XCTAssertEqual(Set(try listing("/blobs/\(alice)/")), ["a", "b", "c"])
        XCTAssertEqual(try listing("/blobs/\(alice)/?namespace=ns2"), ["other"])
        XCTAssertEqual(try listing("/blobs/\(alice)/?filter_flag=PROCESSED"), ["a"])
        XCTAssertEqual(try listing("/blobs/\(alice)/?order_by=date"), ["c", "a", "b"])
        XCTAssertEqual(try listing("/blobs/\(alice)/?order_by=%2Bdate"), ["c", "a", "b"])
        XCTAssertEqual(try listing("/blobs/\(alice)/?order_by=-date"), ["b", "a", "c"])
        XCTAssertEqual(try call("GET", "/blobs/\(alice)/?only_count=1").text, #"{"count": 3}"#)
        XCTAssertEqual(try call("GET", "/blobs/\(alice)/?order_by=size").status, 400)
        XCTAssertEqual(try listing("/blobs/nobody-\(run)/"), [])
    }

    func testLargeListingIsGzippedWhenAccepted() throws {
        for index in 0..<80 { XCTAssertEqual(try put("/blobs/\(zed)/blob-number-\(index)", "x"), 200) }
        let response = try call("GET", "/blobs/\(zed)/", headers: [("Accept-Encoding", "gzip")])
        XCTAssertEqual(response.status, 200)
        XCTAssertEqual(response.headers["content-encoding"], "gzip")
        XCTAssertEqual(Array(response.body.prefix(2)), [0x1F, 0x8B])
        XCTAssertNil(try call("GET", "/blobs/\(zed)/").headers["content-encoding"])
    }

    func testBadNamesAre400AndTouchNothing() throws {
        let bad = ["/blobs/\(alice)/..", "/blobs/\(alice)/.", "/blobs/\(alice)/a%2Fb", "/blobs/al%20ice/x", "/blobs/\(alice)/a%00b",
                   "/blobs/\(alice)/" + String(repeating: "x", count: 129), "/blobs/../etc", "/blobs/\(alice)/x?namespace=..",
                   "/blobs/\(alice)/x?namespace=a/b", "/blobs//x", "/blobs/\(alice)/%zz"]
        for path in bad {
            let response = try call("PUT", path, body: Array("evil".utf8))
            XCTAssertEqual(response.status, 400, path)
            XCTAssertFalse(response.text.isEmpty)
        }
        let longest = String(repeating: "x", count: 128)
        XCTAssertEqual(try put("/blobs/\(alice)/" + longest, "ok"), 200)
        XCTAssertEqual(try filesOf(alice).map { ($0 as NSString).lastPathComponent }, [longest])
        let top = try FileManager.default.contentsOfDirectory(atPath: store)
        XCTAssertFalse(top.contains { $0.hasPrefix("..") || $0 == "x" || $0 == "etc" }, "\(top)")
        XCTAssertFalse(FileManager.default.fileExists(atPath: store + "/../etc"))
    }

    /// The regular files under `user`'s folder of the store, as paths inside it.
    private func filesOf(_ user: String) throws -> [String] {
        let folder = store + "/" + user
        guard FileManager.default.fileExists(atPath: folder) else { return [] }
        return try FileManager.default.subpathsOfDirectory(atPath: folder).filter { path in
            var isFolder: ObjCBool = false
            return FileManager.default.fileExists(atPath: folder + "/" + path, isDirectory: &isFolder) && !isFolder.boolValue
        }
    }

    func testUnknownPathIs404AndWrongMethodIs405WithAllow() throws {
        XCTAssertEqual(try call("GET", "/nothing/here").status, 404)
        let response = try call("PATCH", "/blobs/\(alice)/x")
        XCTAssertEqual(response.status, 405)
        XCTAssertEqual(response.headers["allow"], "GET, HEAD, PUT, POST, DELETE")
        XCTAssertEqual(try call("DELETE", "/").status, 405)
        XCTAssertEqual(try call("GET", "/stream/alice").status, 405)
    }

    func testBodyOverMaxBodyIs413AndStoresNothing() throws {
        let connection = try TestConnection(port: port)
        try connection.send("PUT /blobs/\(alice)/huge HTTP/1.1\r\nHost: x\r\nContent-Length: \(target.maxBody + 1)\r\n\r\n")
        XCTAssertEqual(try connection.readResponse().status, 413)
        let chunked = try TestConnection(port: port)
        var request = Array("PUT /blobs/\(alice)/huge2 HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n".utf8)
        for _ in 0..<(target.maxBody / 0x10000 + 2) {
            request += Array("10000\r\n".utf8) + [UInt8](repeating: 65, count: 0x10000) + Array("\r\n".utf8)
        }
        try? chunked.send(request)
        XCTAssertEqual(try chunked.readResponse().status, 413)
        XCTAssertEqual(try call("GET", "/blobs/\(alice)/huge").status, 404)
        XCTAssertEqual(try call("GET", "/blobs/\(alice)/huge2").status, 404)
        XCTAssertEqual(try filesOf(alice), [])
    }

    func testClientVanishingMidUploadLeavesNothing() throws {
        let connection = try TestConnection(port: port)
        try connection.send("PUT /blobs/\(alice)/half HTTP/1.1\r\nHost: x\r\nContent-Length: 100000\r\n\r\n" + String(repeating: "a", count: 5000))
        usleep(100_000)
        connection.close()
        usleep(200_000)
        XCTAssertEqual(try call("GET", "/blobs/\(alice)/half").status, 404)
        XCTAssertEqual(try filesOf(alice), [])
        XCTAssertEqual(try put("/blobs/\(alice)/half", "whole"), 200)
    }

    func testStreamDownloadAndUpload() throws {
        let manifest = #"[["s1", 5], ["s2", 0], ["s3", 20]]"#
        let body = Array((manifest + "\n" + "hello" + "abcdefghijklmnopqrst").utf8)
        XCTAssertEqual(try call("POST", "/stream/\(alice)?direction=upload", body: body).status, 200)
        XCTAssertEqual(try call("GET", "/blobs/\(alice)/s1").text, "hello")
        XCTAssertEqual(try call("GET", "/blobs/\(alice)/s2").text, "")
        XCTAssertEqual(try call("GET", "/blobs/\(alice)/s3").text, "abcdefghijklmnopqrst")

        let download = try call("POST", "/stream/\(alice)?direction=download", body: Array(#"["s1", "s3"]"#.utf8))
        XCTAssertEqual(download.status, 200)
        let tag1 = "aGVsbG8=", tag3 = "ZWZnaGlqa2xtbm9wcXJzdA=="
        XCTAssertEqual(download.text, "00000005" + tag1 + " hello" + "00000014" + tag3 + " abcdefghijklmnopqrst")
        XCTAssertEqual(try call("POST", "/stream/\(alice)?direction=download", body: Array(#"["s1", "nope"]"#.utf8)).status, 404)
        XCTAssertEqual(try call("POST", "/stream/\(alice)?direction=upload", body: Array("not a manifest\n".utf8)).status, 400)
        XCTAssertEqual(try call("POST", "/stream/\(alice)?direction=upload", body: Array((#"[["s1", 1]]"# + "\nx").utf8)).status, 409)
        XCTAssertEqual(try call("POST", "/stream/\(alice)?direction=sideways", body: []).status, 400)
    }

    func testSoledadLayoutIsServedAsIs() throws {
        let directory = store + "/\(bob)/default/a/abc/abcdef"
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        try Data("from soledad".utf8).write(to: URL(fileURLWithPath: directory + "/abcdef123"))
        try Data(#"["PENDING"]"#.utf8).write(to: URL(fileURLWithPath: directory + "/abcdef123.flags"))
        XCTAssertEqual(try call("GET", "/blobs/\(bob)/abcdef123").text, "from soledad")
        XCTAssertEqual(try call("GET", "/blobs/\(bob)/abcdef123?only_flags=1").text, #"["PENDING"]"#)
        XCTAssertEqual(try listing("/blobs/\(bob)/"), ["abcdef123"])
        XCTAssertEqual(try put("/blobs/\(bob)/xy", "short id"), 200)
        XCTAssertTrue(FileManager.default.fileExists(atPath: store + "/\(bob)/default/x/xy/xy/xy"))
    }
}
