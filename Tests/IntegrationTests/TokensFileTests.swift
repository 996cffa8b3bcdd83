import ClusterTesting
import Foundation
import XCTest

/// `blob-server --tokens` with the files people really write.
final class TokensFileTests: XCTestCase {
    private var directory = ""

    override func setUpWithError() throws {
        directory = NSTemporaryDirectory() + "tokens-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
    }

    override func tearDown() {
        try? FileManager.default.removeItem(atPath: directory)
    }

    private func tokensFile(_ text: String) throws -> String {
        let path = directory + "/tokens"
        try Data(text.utf8).write(to: URL(fileURLWithPath: path))
        return path
    }

    func testCRLFTokensFileAuthenticates() throws {
        let tokens = try tokensFile("# made on Windows\r\nalice:s3cret\r\nbob:hunter2\r\n")
        let server = try TestProcess("blob-server", ["--port", "0", "--store", directory + "/store", "--tokens", tokens])
        defer { server.stop() }
        let port = try server.waitForListeningPort()
        let alice = [("Authorization", "Token " + Data("alice:s3cret".utf8).base64EncodedString())]
        let bob = [("Authorization", "Basic " + Data("bob:hunter2".utf8).base64EncodedString())]
        XCTAssertEqual(try TestHTTP.request(port: port, method: "PUT", path: "/blobs/alice/a", headers: alice, body: [1]).status, 200)
        XCTAssertEqual(try TestHTTP.request(port: port, method: "GET", path: "/blobs/bob/", headers: bob).status, 200)
        XCTAssertEqual(try TestHTTP.request(port: port, method: "GET", path: "/blobs/alice/a").status, 401)
    }

    func testEmptyTokenOrMalformedLineStopsTheServerNamingTheLine() throws {
        for (text, line) in [("alice:s3cret\nbob:\n", 2), ("# users\r\nalice:s3cret\r\n\r\nnot a pair\r\n", 4)] {
            let tokens = try tokensFile(text)
            let server = try TestProcess("blob-server", ["--port", "0", "--store", directory + "/store", "--tokens", tokens])
            defer { server.stop() }
            XCTAssertEqual(server.waitForExit(timeout: 10), 3, text.debugDescription)
            let lines = server.output.split(separator: "\n").filter { $0.contains("line \(line)") }
            XCTAssertEqual(lines.count, 1, "one line naming line \(line): \(server.output)")
            XCTAssertFalse(server.output.contains("listening on"))
        }
    }
}
