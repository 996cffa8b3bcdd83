import ClusterTesting
import Foundation
import XCTest
#if canImport(Glibc)
import Glibc
#endif

/// `--access-log` as operators use it: one combined-format line per
/// answered request, all of them written by a clean stop, reopened on
/// SIGUSR1 after a rename, shared by a cluster's workers.
final class AccessLogTests: XCTestCase {
    private var folder = ""
    private var processes: [TestProcess] = []

    override func setUp() {
        folder = NSTemporaryDirectory() + "access-log-\(UUID().uuidString)"
        try? FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
    }

    override func tearDown() {
        processes.forEach { $0.stop(grace: 10) }
        try? FileManager.default.removeItem(atPath: folder)
    }

    private var logPath: String { folder + "/access.log" }

    private func worker(_ extra: [String] = []) throws -> (TestProcess, Int) {
        let process = try TestProcess("blob-server", ["--port", "0", "--store", folder + "/store", "--access-log", logPath] + extra)
        processes.append(process)
        return (process, try process.waitForListeningPort())
    }

    /// The format README documents: the combined format, then the request time.
    static let combined = try! NSRegularExpression(pattern:
        #"^(\S+) - - \[\d{2}/[A-Z][a-z]{2}/\d{4}:\d{2}:\d{2}:\d{2} \+0000\] "([^"]*)" (\d{3}) (\d+|-) "([^"]*)" "([^"]*)" (\d+\.\d{3})$"#)

    /// Each line's fields (peer, request, status, bytes, referer, agent,
    /// time); fails the test for a line that does not parse.
    private func lines(of path: String, file: StaticString = #filePath, line: UInt = #line) -> [[String]] {
        let text = (try? String(contentsOfFile: path, encoding: .utf8)) ?? ""
        XCTAssertTrue(text.isEmpty || text.hasSuffix("\n"), "whole lines only", file: file, line: line)
        return text.split(separator: "\n").map { entry in
            let entry = String(entry)
            guard let match = Self.combined.firstMatch(in: entry, range: NSRange(entry.startIndex..., in: entry)) else {
                XCTFail("not the combined format: \(entry)", file: file, line: line)
                return []
            }
            return (1..<match.numberOfRanges).map { String(entry[Range(match.range(at: $0), in: entry)!]) }
        }
    }

    private func stop(_ process: TestProcess) {
        process.signal(SIGTERM)
        XCTAssertEqual(process.waitForExit(timeout: 15), 0, "a clean stop")
    }

    func testEachAnsweredRequestIsOneLineOnceTheWorkerStops() throws {
        let (process, port) = try worker()
        let body = [UInt8](repeating: 7, count: 1000)
        XCTAssertEqual(try TestHTTP.request(port: port, method: "GET", path: "/").status, 200)
        XCTAssertEqual(try TestHTTP.request(port: port, method: "PUT", path: "/blobs/u/abcdef1", body: body).status, 200)
        let get = try TestHTTP.request(port: port, method: "GET", path: "/blobs/u/abcdef1",
                                       headers: [("User-Agent", "curl/7.88"), ("Referer", "http://example/\"x\"")])
        XCTAssertEqual(get.status, 200)
        XCTAssertEqual(try TestHTTP.request(port: port, method: "HEAD", path: "/blobs/u/abcdef1").status, 200)
        XCTAssertEqual(try TestHTTP.request(port: port, method: "GET", path: "/blobs/u/nothing").status, 404)
        let malformed = try TestConnection(port: port)
        try malformed.send("GET /\u{1}bad HTTP/1.1\r\nHost: x\r\n\r\n")
        XCTAssertEqual(try malformed.readResponse().status, 400)
        malformed.close()
        stop(process)

        let entries = lines(of: logPath)
        XCTAssertEqual(entries.count, 6, "one line per answered request, nothing else")
        guard entries.count == 6, entries.allSatisfy({ $0.count == 7 }) else { return }
        XCTAssertEqual(entries.map { $0[1] }, ["GET / HTTP/1.1", "PUT /blobs/u/abcdef1 HTTP/1.1", "GET /blobs/u/abcdef1 HTTP/1.1",
                                             "HEAD /blobs/u/abcdef1 HTTP/1.1", "GET /blobs/u/nothing HTTP/1.1", "-"])
        XCTAssertEqual(entries.map { $0[2] }, ["200", "200", "200", "200", "404", "400"])
        XCTAssertEqual(entries[2][3], "1000", "the blob's body")
        XCTAssertEqual(entries[3][3], "0", "HEAD sends no body")
        XCTAssertEqual(entries[2][4], #"http://example/\x22x\x22"#)
        XCTAssertEqual(entries[2][5], "curl/7.88")
        XCTAssertEqual(entries[0][4...5], ["-", "-"])
        XCTAssertTrue(entries.allSatisfy { $0[0] == "127.0.0.1" }, "the peer, even of the head that never parsed")
        XCTAssertTrue(entries.allSatisfy { Double($0[6]) != nil })
    }

    func testLinesAreWrittenWithinASecondOrSoWhileTheWorkerRuns() throws {
        let (process, port) = try worker()
        XCTAssertEqual(try TestHTTP.request(port: port, method: "GET", path: "/").status, 200)
        let deadline = Date().addingTimeInterval(5)
        while lines(of: logPath).isEmpty && Date() < deadline { usleep(50_000) }
        XCTAssertEqual(lines(of: logPath).count, 1, "the batch's timer wrote it")
        XCTAssertTrue(process.process.isRunning)
    }

    func testSIGUSR1ReopensTheFileSoARenamedOneKeepsTheEarlierLines() throws {
        let (process, port) = try worker()
        for _ in 1...3 { XCTAssertEqual(try TestHTTP.request(port: port, method: "GET", path: "/early").status, 404) }
        let rotated = folder + "/access.log.1"
        XCTAssertEqual(rename(logPath, rotated), 0)
        process.signal(SIGUSR1)
        try process.waitForLine(containing: "reopened access log")
        for _ in 1...2 { XCTAssertEqual(try TestHTTP.request(port: port, method: "GET", path: "/late").status, 404) }
        stop(process)
        XCTAssertEqual(lines(of: rotated).map { $0.count > 1 ? $0[1] : "" }, Array(repeating: "GET /early HTTP/1.1", count: 3))
        XCTAssertEqual(lines(of: logPath).map { $0.count > 1 ? $0[1] : "" }, Array(repeating: "GET /late HTTP/1.1", count: 2))
    }

    func testAReopenThatFailsKeepsTheOldFile() throws {
        let (process, port) = try worker()
        XCTAssertEqual(try TestHTTP.request(port: port, method: "GET", path: "/one").status, 404)
        // The path is now a directory: it cannot be opened for writing.
        let rotated = folder + "/access.log.1"
        XCTAssertEqual(rename(logPath, rotated), 0)
        XCTAssertEqual(mkdir(logPath, 0o755), 0)
        process.signal(SIGUSR1)
        try process.waitForLine(containing: "cannot reopen access log")
        XCTAssertEqual(try TestHTTP.request(port: port, method: "GET", path: "/two").status, 404)
        stop(process)
        XCTAssertEqual(lines(of: rotated).count, 2, "both went to the file it had open")
    }

    func testStandardErrorIsTheLogForADash() throws {
        let process = try TestProcess("blob-server", ["--port", "0", "--store", folder + "/store", "--access-log", "-"])
        processes.append(process)
        let port = try process.waitForListeningPort()
        XCTAssertEqual(try TestHTTP.request(port: port, method: "GET", path: "/dash").status, 404)
        stop(process)
        XCTAssertTrue(process.output.contains(#""GET /dash HTTP/1.1" 404 "#), process.output)
    }

    func testAPathThatCannotBeOpenedIsABootFailure() throws {
        let process = try TestProcess("blob-server", ["--port", "0", "--store", folder + "/store",
                                                      "--access-log", folder + "/no/such/dir/access.log"])
        processes.append(process)
        XCTAssertEqual(process.waitForExit(timeout: 10), 3)
        XCTAssertTrue(process.output.contains("access log \(folder)/no/such/dir/access.log"), process.output)
    }

    func testAWorkerWithoutALogIgnoresSIGUSR1() throws {
        let process = try TestProcess("blob-server", ["--port", "0", "--store", folder + "/store"])
        processes.append(process)
        let port = try process.waitForListeningPort()
        process.signal(SIGUSR1)
        try process.waitForLine(containing: "no --access-log")
        XCTAssertEqual(try TestHTTP.request(port: port, method: "GET", path: "/").status, 200)
    }

    func testBothProgramsHelpTellsOfTheFlagAndTheSignal() throws {
        for program in ["blob-server", "blob-cluster"] {
            let help = try TestProcess(program, ["--help"])
            XCTAssertEqual(help.waitForExit(timeout: 10), 0)
            let text = help.output.split(whereSeparator: \.isWhitespace).joined(separator: " ")
            XCTAssertTrue(text.contains("--access-log <access-log>"), text)
            XCTAssertTrue(text.contains("combined format plus the request time"), text)
            XCTAssertTrue(text.contains("USR1"), text)
        }
    }

    func testAClusterPassesTheLogToItsWorkersAndSIGUSR1OnToThem() throws {
        let port = Int.random(in: 20_000...32_000)
        let cluster = try TestProcess("blob-cluster", ["--workers", "2", "--store", folder + "/store", "--port", "\(port)",
                                                       "--worker-base-port", "\(port + 1)", "--access-log", logPath])
        processes.append(cluster)
        try cluster.waitForLine(containing: "ready", timeout: 20)
        XCTAssertEqual(try TestHTTP.request(port: port, method: "GET", path: "/through-the-front").status, 404)
        let rotated = folder + "/access.log.1"
        // The timer writes within a second: the line is in the old file before the rename.
        let deadline = Date().addingTimeInterval(5)
        while lines(of: logPath).isEmpty && Date() < deadline { usleep(50_000) }
        XCTAssertEqual(rename(logPath, rotated), 0)
        cluster.signal(SIGUSR1)
        try cluster.waitForLine(containing: "told 2 workers to reopen")
        let reopened = Date().addingTimeInterval(10)
        while cluster.output.components(separatedBy: "reopened access log").count < 3 && Date() < reopened { usleep(50_000) }
        XCTAssertEqual(cluster.output.components(separatedBy: "reopened access log").count, 3, "both workers reopened")
        for id in 0..<4 { XCTAssertEqual(try TestHTTP.request(port: port + 1 + id % 2, method: "GET", path: "/worker\(id % 2)").status, 404) }
        cluster.signal(SIGTERM)
        XCTAssertEqual(cluster.waitForExit(timeout: 30), 0)
        // The supervisor's liveness probes are requests too: left out here.
        func requests(_ path: String) -> [String] {
            lines(of: path).map { $0.count > 1 ? $0[1] : "" }.filter { $0 != "GET /healthcheck HTTP/1.1" }
        }
        XCTAssertEqual(requests(rotated), ["GET /through-the-front HTTP/1.1"])
        XCTAssertEqual(requests(logPath).sorted(),
                       ["GET /worker0 HTTP/1.1", "GET /worker0 HTTP/1.1", "GET /worker1 HTTP/1.1", "GET /worker1 HTTP/1.1"])
    }
}
