import ClusterTesting
import Foundation
import XCTest
#if canImport(Glibc)
import Glibc
#endif

/// A listing that fails after its 200 went out (a prefix directory the
/// worker may not read, met midway through the walk): the connection is
/// dropped without the last chunk, so a real client sees an incomplete
/// answer rather than a shorter list, and the worker logs why. Root reads
/// every directory, so as root the worker runs as `nobody` (setpriv).
final class ListingFailureTests: XCTestCase {
    private var fixture: ListingFixture!
    private var worker: Process?
    private var log = ""

    override func tearDownWithError() throws {
        if let worker, worker.isRunning {
            kill(worker.processIdentifier, SIGKILL)
            worker.waitUntilExit()
        }
        try? FileManager.default.removeItem(atPath: log)
        if let fixture {
            chmodAll(fixture.store)
            fixture.remove()
        }
    }

    func testAnUnreadableDirectoryMidwayCutsTheChunkedAnswerShort() throws {
        fixture = try ListingFixture(count: 12_000)
        let root = fixture.store + "/u/default"
        // The walk meets the prefix directories in readdir order: lock the
        // last, so the first chunks (and the 200) go out before it.
        let locked = try XCTUnwrap(readdirOrder(root).last)
        if geteuid() == 0 { XCTAssertEqual(chownAll(fixture.store), 0) }
        XCTAssertEqual(chmod(root + "/" + locked, 0), 0)
        let port = try startWorker()

        let connection = try TestConnection(port: port, timeout: 20)
        try connection.send("GET /blobs/u/ HTTP/1.1\r\nHost: x\r\n\r\n")
        XCTAssertThrowsError(try connection.readResponse(), "no last chunk: the answer is incomplete") { error in
            guard case TestConnectionError.closed = error else { return XCTFail("\(error)") }
        }

        // A client that is not ours agrees: it started a 200, then lost it.
        let script = """
        from http import client  # (the manifest check reads Swift-style imports)
        c = client.HTTPConnection("127.0.0.1", \(port), timeout=30)
        c.request("GET", "/blobs/u/")
        r = c.getresponse()
        try:
            r.read()
            print(r.status, "complete")
        except client.IncompleteRead:
            print(r.status, "incomplete")
        """
        let output = String(decoding: try ToolRun.output(of: "/usr/bin/python3", ["-c", script]).output, as: UTF8.self)
        XCTAssertEqual(output, "200 incomplete\n")
        let logged = (try? String(contentsOfFile: log, encoding: .utf8)) ?? ""
        XCTAssertTrue(logged.contains("listing u/default failed midway"), logged)
        // The worker is fine: the next request is answered.
        XCTAssertEqual(try TestHTTP.request(port: port, method: "GET", path: "/healthcheck").status, 200)
    }

    private func startWorker() throws -> Int {
        let server = TestProcess.binDirectory.appendingPathComponent("blob-server").path
        let process = Process()
        var arguments = [server, "--port", "0", "--store", fixture.store]
        if geteuid() == 0 { arguments = ["--reuid=65534", "--regid=65534", "--clear-groups"] + arguments }
        process.executableURL = URL(fileURLWithPath: geteuid() == 0 ? "/usr/bin/setpriv" : server)
        process.arguments = geteuid() == 0 ? arguments : Array(arguments.dropFirst())
        log = NSTemporaryDirectory() + "listing-failure-\(UUID().uuidString).log"
        FileManager.default.createFile(atPath: log, contents: nil)
        let handle = try FileHandle(forWritingTo: URL(fileURLWithPath: log))
        process.standardOutput = handle
        process.standardError = handle
        try process.run()
        worker = process
        let deadline = Date().addingTimeInterval(10)
        while Date() < deadline {
            let text = (try? String(contentsOfFile: log, encoding: .utf8)) ?? ""
            if let line = text.split(separator: "\n").first(where: { $0.contains("listening on") }),
               let port = line.split(separator: ":").last?.split(separator: " ").first.flatMap({ Int($0) }) {
                return port
            }
            Thread.sleep(forTimeInterval: 0.05)
        }
        throw TestConnectionError.closed
    }

    private func readdirOrder(_ path: String) throws -> [String] {
        guard let directory = opendir(path) else { throw POSIXError(.ENOENT) }
        defer { closedir(directory) }
        var names: [String] = []
        while let entry = readdir(directory) {
            let name = withUnsafeBytes(of: entry.pointee.d_name) { String(cString: $0.bindMemory(to: CChar.self).baseAddress!) }
            if name != "." && name != ".." { names.append(name) }
        }
        return names
    }

    private func chownAll(_ path: String) -> Int32 { run("/bin/chown", ["-R", "65534:65534", path]) }
    private func chmodAll(_ path: String) { _ = run("/bin/chmod", ["-R", "u+rwx", path]) }

    private func run(_ tool: String, _ arguments: [String]) -> Int32 {
        (try? ToolRun.output(of: tool, arguments))?.status ?? -1
    }
}
