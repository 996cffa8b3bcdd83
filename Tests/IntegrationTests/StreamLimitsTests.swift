import ClusterTesting
import Foundation
import XCTest
#if canImport(Glibc)
import Glibc
#endif

/// `/stream` against a real `blob-server`: a download of many ids holds a
/// few descriptors however slowly it is read, ids are capped, and an
/// upload of many manifest entries is linear.
final class StreamLimitsTests: XCTestCase {
    private var server: TestProcess!
    private var port = 0
    private var store = ""
    private static let cap = 10_000

    override func setUpWithError() throws {
        // /dev/shm when there is one: the upload test times the worker, not the disk.
        let base = access("/dev/shm", W_OK) == 0 ? "/dev/shm/" : NSTemporaryDirectory()
        store = base + "stream-limits-\(UUID().uuidString)"
        server = try TestProcess("blob-server", ["--port", "0", "--store", store, "--max-body", "1MiB"])
        port = try server.waitForListeningPort()
    }

    override func tearDown() {
        server.stop()
        try? FileManager.default.removeItem(atPath: store)
    }

    private func call(_ method: String, _ path: String, body: [UInt8]? = nil) throws -> TestResponse {
        try TestHTTP.request(port: port, method: method, path: path, body: body)
    }

    private func idList(_ ids: [String]) -> [UInt8] {
        Array(("[" + ids.map { "\"\($0)\"" }.joined(separator: ",") + "]").utf8)
    }

    /// Size as 8 hex digits, urlsafe base64 of the last 16 bytes, a space, the bytes.
    private func framed(_ blob: [UInt8]) -> [UInt8] {
        let tag = Data(blob.suffix(16)).base64EncodedString()
            .replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_")
        let hex = String(blob.count, radix: 16)
        return Array((String(repeating: "0", count: 8 - hex.count) + hex + tag + " ").utf8) + blob
    }

    func testDownloadOfSmallAndLargeBlobsWithRepeatsIsFramedInOrder() throws {
        let small = (0..<1000).map { UInt8(truncatingIfNeeded: $0 * 31) }
        let large = (0..<300_000).map { UInt8(truncatingIfNeeded: $0 * 7 + 3) }
        XCTAssertEqual(try call("PUT", "/blobs/alice/small", body: small).status, 200)
        XCTAssertEqual(try call("PUT", "/blobs/alice/large", body: large).status, 200)
        XCTAssertEqual(try call("PUT", "/blobs/alice/empty", body: []).status, 200)
        let ids = (0..<40).map { ["small", "large", "empty", "small"][$0 % 4] }
        let download = try call("POST", "/stream/alice?direction=download", body: idList(ids))
        XCTAssertEqual(download.status, 200)
        let expected = ids.flatMap { framed($0 == "small" ? small : $0 == "large" ? large : []) }
        XCTAssertEqual(download.body.count, expected.count)
        XCTAssertTrue(download.body == expected, "the blobs, framed, in the order asked, repeats included")
    }

    func testMoreIDsThanTheCapIs400() throws {
        XCTAssertEqual(try call("PUT", "/blobs/alice/a", body: [1]).status, 200)
        let over = try call("POST", "/stream/alice?direction=download", body: idList(Array(repeating: "a", count: Self.cap + 1)))
        XCTAssertEqual(over.status, 400)
        XCTAssertTrue(over.text.contains("\(Self.cap)"), over.text)
    }

    /// The cap's worth of ids, read at about a byte a second: the worker
    /// holds few descriptors, and another client is served promptly.
    func testSlowReaderOfAHugeDownloadHoldsFewDescriptors() throws {
        let small = [UInt8](repeating: 0x61, count: 1000)
        let large = [UInt8](repeating: 0x62, count: 200_000)
        XCTAssertEqual(try call("PUT", "/blobs/alice/small", body: small).status, 200)
        XCTAssertEqual(try call("PUT", "/blobs/alice/large", body: large).status, 200)
        let ids = (0..<Self.cap).map { $0 % 2 == 0 ? "small" : "large" }
        let before = server.openDescriptorCount

        let slow = try TestConnection(port: port, timeout: 1, receiveBuffer: 2048)
        defer { slow.close() }
        let body = idList(ids)
        try slow.send(Array("POST /stream/alice?direction=download HTTP/1.1\r\nHost: x\r\nContent-Length: \(body.count)\r\n\r\n".utf8) + body)

        var latencies: [Double] = []
        var most = before
        var head: [UInt8] = []
        let deadline = Date().addingTimeInterval(4)
        var nextRead = Date()
        while Date() < deadline {
            if Date() >= nextRead, let byte = slow.readByte() {
                head.append(byte)
                nextRead = Date().addingTimeInterval(1)
            }
            let start = Date()
            XCTAssertEqual(try call("GET", "/blobs/alice/small").status, 200)
            latencies.append(Date().timeIntervalSince(start))
            most = max(most, server.openDescriptorCount)
            usleep(20_000)
        }
        XCTAssertGreaterThanOrEqual(head.count, 3, "the slow client did read")
        XCTAssertEqual(String(decoding: head, as: UTF8.self), String("HTTP/1.1 200".prefix(head.count)))
        XCTAssertLessThan(most, 100, "open descriptors of the worker during the download (before: \(before))")
        let sorted = latencies.sorted()
        let p99 = sorted[min(sorted.count - 1, Int(Double(sorted.count) * 0.99))]
        XCTAssertGreaterThan(latencies.count, 50)
        XCTAssertLessThan(p99, 0.05, "p99 of another client's GETs meanwhile")
    }

    func testUploadOfManyEntriesIsLinear() throws {
        // 100,000 empty blobs, the most a 1 MiB manifest line holds: with the
        // manifest copied per blob (as it was) that is 5*10^9 element moves,
        // minutes of work; linear, it is the files' creation.
        let digits: [Character] = Array("0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ")
        func id(_ n: Int) -> String {
            let high: Character = digits[n / 3844], middle: Character = digits[n / 62 % 62], low: Character = digits[n % 62]
            return String([high, middle, low])
        }
        let ids: [String] = (0..<100_000).map(id)
        let manifest = "[" + ids.map { "[\"\($0)\",0]" }.joined(separator: ",") + "]\n"
        let connection = try TestConnection(port: port, timeout: 60)
        defer { connection.close() }
        let start = Date()
        try connection.send("POST /stream/alice?direction=upload HTTP/1.1\r\nHost: x\r\nContent-Length: \(manifest.utf8.count)\r\n\r\n" + manifest)
        let response = try connection.readResponse()
        let elapsed = Date().timeIntervalSince(start)
        XCTAssertEqual(response.status, 200, response.text)
        XCTAssertEqual(try call("GET", "/blobs/alice/?only_count=1").text, #"{"count": \#(ids.count)}"#)
        XCTAssertEqual(try call("GET", "/blobs/alice/\(ids.last!)").status, 200)
        XCTAssertLessThan(elapsed, 60, "100,000 entries in one upload")
        print("stream upload of \(ids.count) entries: \(elapsed) s")
    }
}
