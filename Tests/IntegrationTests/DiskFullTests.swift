import ClusterTesting
import Foundation
import XCTest

#if canImport(Glibc)
import Glibc
#endif

/// A worker on a 16 MiB tmpfs, mounted by the test, filled until the file
/// system says ENOSPC: PUT, flags POST and stream upload answer 507 and
/// leave nothing partial (no blob, no changed flags, no temporary file:
/// the store check says so), GETs keep being served, and a DELETE makes
/// room for the next PUT.
final class DiskFullTests: XCTestCase {
    private var mountPoint = ""
    private var server: TestProcess?
    private var port = 0
    private var store: String { mountPoint + "/store" }

    override func setUpWithError() throws {
        mountPoint = NSTemporaryDirectory() + "disk-full-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: mountPoint, withIntermediateDirectories: false)
        let (status, output) = try Self.run("/usr/bin/mount", ["-t", "tmpfs", "-o", "size=16m", "tmpfs", mountPoint])
        guard status == 0 else {
            rmdir(mountPoint)
            throw MountFailure(description: "cannot mount a tmpfs on \(mountPoint) (the test needs root): exit \(status): \(output)")
        }
        // Registered only once mounted, and run however the test ends.
        addTeardownBlock { [mountPoint] in
            self.server?.stop()
            if (try? Self.run("/usr/bin/umount", [mountPoint]))?.status != 0 {
                _ = try? Self.run("/usr/bin/umount", ["-l", mountPoint])
            }
            rmdir(mountPoint)
        }
        let process = try TestProcess("blob-server", ["--port", "0", "--store", store, "--max-body", "4MiB"])
        server = process
        port = try process.waitForListeningPort()
    }

    /// Fails the test (never skips it) when the tmpfs cannot be mounted.
    private struct MountFailure: Error, CustomStringConvertible {
        let description: String
    }

    private static func run(_ tool: String, _ arguments: [String]) throws -> (status: Int32, output: String) {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: tool)
        process.arguments = arguments
        let pipe = Pipe()
        process.standardOutput = pipe
        process.standardError = pipe
        try process.run()
        let output = String(decoding: pipe.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        return (process.terminationStatus, output)
    }

    private func request(_ method: String, _ path: String, _ body: [UInt8]? = nil) throws -> TestResponse {
        try TestHTTP.request(port: port, method: method, path: path, body: body)
    }

    private func randomBytes(_ count: Int) -> [UInt8] { StormClient.randomBytes(count) }

    /// PUTs blobs of `size` until one gets 507 (at most `limit`); returns what was stored.
    private func fill(prefix: String, size: Int, limit: Int) throws -> [String: [UInt8]] {
        var stored: [String: [UInt8]] = [:]
        for n in 0..<limit {
            let id = "\(prefix)\(n)"
            let body = randomBytes(size)
            let response = try request("PUT", "/blobs/alice/\(id)", body)
            if response.status == 507 {
                XCTAssertTrue(response.text.hasPrefix("disk full"), response.text)
                XCTAssertEqual(try request("GET", "/blobs/alice/\(id)").status, 404, "no partial blob \(id)")
                return stored
            }
            XCTAssertEqual(response.status, 200, response.text)
            stored[id] = body
        }
        XCTFail("\(limit) PUTs of \(size) bytes and never a 507")
        return stored
    }

    /// The listing, the GETs and the store check agree: exactly `blobs`, whole, and no debris.
    private func assertStoreHolds(_ blobs: [String: [UInt8]], _ moment: String, file: StaticString = #filePath, line: UInt = #line) throws {
        let listing = try request("GET", "/blobs/alice")
        let ids = try JSONSerialization.jsonObject(with: Data(listing.body)) as? [String]
        XCTAssertEqual(Set(ids ?? []), Set(blobs.keys), "listing \(moment)", file: file, line: line)
        for (id, bytes) in blobs {
            let get = try request("GET", "/blobs/alice/\(id)")
            XCTAssertEqual(get.status, 200, "GET \(id) \(moment)", file: file, line: line)
            XCTAssertTrue(get.body == bytes, "GET \(id) \(moment): \(get.body.count) bytes, not the \(bytes.count) stored", file: file, line: line)
        }
        let check = try TestProcess("blob-server", ["--check-store", store])
        XCTAssertEqual(check.waitForExit(timeout: 20), 0, "store check \(moment): \(check.output)", file: file, line: line)
    }

    func testAFullDiskAnswers507LeavesNothingPartialAndKeepsServing() throws {
        XCTAssertEqual(try request("PUT", "/blobs/alice/flagged", Array("small".utf8)).status, 200)
        XCTAssertEqual(try request("POST", "/blobs/alice/flagged", Array(#"["PENDING"]"#.utf8)).status, 200)
        var blobs = ["flagged": Array("small".utf8)]

        // 1 MiB blobs until 507, then 4 KiB ones (a tmpfs page) until not a page is left.
        blobs.merge(try fill(prefix: "big", size: 1 << 20, limit: 32)) { $1 }
        XCTAssertGreaterThanOrEqual(blobs.count, 10, "16 MiB holds at least ten 1 MiB blobs")
        blobs.merge(try fill(prefix: "page", size: 4096, limit: 512)) { $1 }
        try assertStoreHolds(blobs, "after the disk filled")

        let flags = try request("POST", "/blobs/alice/flagged", Array(#"["PROCESSED"]"#.utf8))
        XCTAssertEqual(flags.status, 507, flags.text)
        XCTAssertTrue(flags.text.hasPrefix("disk full"), flags.text)
        XCTAssertEqual(try request("GET", "/blobs/alice/flagged?only_flags=1").text, #"["PENDING"]"#, "flags unchanged")
        try assertStoreHolds(blobs, "after the flags POST")

        let upload = Array("[[\"streamed\",65536]]\n".utf8) + randomBytes(65536)
        let stream = try request("POST", "/stream/alice?direction=upload", upload)
        XCTAssertEqual(stream.status, 507, stream.text)
        XCTAssertTrue(stream.text.hasPrefix("disk full"), stream.text)
        XCTAssertEqual(try request("GET", "/blobs/alice/streamed").status, 404, "no partial streamed blob")
        try assertStoreHolds(blobs, "after the stream upload")

        for id in ["big0", "big1"] {
            XCTAssertEqual(try request("DELETE", "/blobs/alice/\(id)").status, 200)
            blobs[id] = nil
        }
        let again = randomBytes(1 << 20)
        XCTAssertEqual(try request("PUT", "/blobs/alice/again", again).status, 200, "room after the DELETEs")
        blobs["again"] = again
        XCTAssertEqual(try request("POST", "/blobs/alice/flagged", Array(#"["PROCESSED"]"#.utf8)).status, 200)
        XCTAssertEqual(try request("GET", "/blobs/alice/flagged?only_flags=1").text, #"["PROCESSED"]"#)
        try assertStoreHolds(blobs, "after the DELETEs")
    }
}
