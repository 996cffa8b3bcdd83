import ClusterTesting
import Foundation
import XCTest
#if canImport(Glibc)
import Glibc
#endif

/// blob-load's open loop against a real worker: it sends at the rate
/// whatever the answers, writes one timeline line per second, and counts
/// latency from when each action was due, so a stall shows in p99.
final class BlobLoadOpenLoopTests: XCTestCase {
    private var store = ""
    private var timeline = ""

    override func setUp() {
        store = NSTemporaryDirectory() + "load-open-\(UUID().uuidString)"
        timeline = store + "-timeline.txt"
    }

    override func tearDown() {
        try? FileManager.default.removeItem(atPath: store)
        try? FileManager.default.removeItem(atPath: timeline)
    }

    private func startServer() throws -> (TestProcess, Int) {
        let server = try TestProcess("blob-server", ["--port", "0", "--store", store])
        return (server, try server.waitForListeningPort())
    }

    private func start(_ port: Int, _ arguments: [String]) throws -> TestProcess {
        try TestProcess("blob-load", arguments + ["--url", "http://127.0.0.1:\(port)", "--timeline", timeline, "--json"])
    }

    private func report(of process: TestProcess) throws -> [String: Any] {
        XCTAssertEqual(process.waitForExit(timeout: 30), 0, process.output)
        let line = try XCTUnwrap(process.output.split(separator: "\n").last { $0.hasPrefix("{") }, process.output)
        return try XCTUnwrap(JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])
    }

    /// The timeline's rows as columns by name, after checking its header.
    private func rows() throws -> [[String: Double]] {
        let lines = try String(contentsOfFile: timeline, encoding: .utf8).split(separator: "\n")
        let header = try XCTUnwrap(lines.first)
        XCTAssertEqual(header, "# second offered sent answered ok errors dropped p50_ms p99_ms")
        let names = header.split(separator: " ").dropFirst().map(String.init)
        return lines.dropFirst().map { line in
            let values = line.split(separator: " ").map { Double($0) ?? .nan }
            XCTAssertEqual(values.count, names.count, String(line))
            return Dictionary(uniqueKeysWithValues: zip(names, values))
        }
    }

    func testARateIsKeptAndEachSecondIsOneLine() throws {
        let (server, port) = try startServer()
        defer { server.stop() }
        let began = Date()
        let result = try report(of: try start(port, ["--action", "baseline", "--rate", "200", "--duration", "2s"]))
        XCTAssertLessThan(Date().timeIntervalSince(began), 6)
        XCTAssertEqual(result["offered"] as? Int, 400)
        XCTAssertEqual(result["sent"] as? Int, 400)
        XCTAssertEqual(result["ok"] as? Int, 400)
        XCTAssertEqual(result["action_errors"] as? Int, 0)
        XCTAssertEqual(result["failures"] as? Int, 0)
        XCTAssertEqual(result["wall_seconds"] as? Double ?? 0, 2, accuracy: 0.5, "the schedule's two seconds, not as fast as it can")
        let lines = try rows()
        XCTAssertTrue((2...3).contains(lines.count), "\(lines)")
        for second in 0..<2 {
            XCTAssertEqual(lines[second]["second"], Double(second))
            XCTAssertEqual(lines[second]["offered"], 200, "\(lines[second])")
            XCTAssertEqual(lines[second]["sent"] ?? 0, 200, accuracy: 10, "\(lines[second])")
            XCTAssertEqual(lines[second]["errors"], 0)
            XCTAssertLessThan(lines[second]["p50_ms"] ?? .infinity, 100)
        }
        XCTAssertEqual(lines.reduce(0) { $0 + ($1["answered"] ?? 0) }, 400)
    }

    func testLatenciesHasOneLinePerAnsweredActionByDueSecond() throws {
        let (server, port) = try startServer()
        defer { server.stop() }
        let latencies = store + "-latencies.txt"
        defer { try? FileManager.default.removeItem(atPath: latencies) }
        let load = try start(port, ["--action", "baseline", "--rate", "100", "--duration", "2s", "--latencies", latencies])
        let result = try report(of: load)
        XCTAssertEqual(result["answered"] as? Int, 200)
        let lines = try String(contentsOfFile: latencies, encoding: .utf8).split(separator: "\n")
        XCTAssertEqual(lines.count, 200, "one line per answered action")
        let parsed = lines.map { $0.split(separator: " ") }
        XCTAssertEqual(parsed.filter { $0.first == "0" }.count, 100, "due in the first second")
        XCTAssertEqual(parsed.filter { $0.first == "1" }.count, 100, "due in the second")
        let milliseconds = parsed.compactMap { Double($0[1]) }
        XCTAssertEqual(milliseconds.count, 200)
        XCTAssertTrue(milliseconds.allSatisfy { $0 > 0 && $0 < 1000 }, "\(milliseconds.max() ?? 0)")

        let closed = try TestProcess("blob-load", ["--action", "baseline", "--latencies", latencies])
        XCTAssertEqual(closed.waitForExit(timeout: 10), 64, "only with --rate or --phases")
    }

    func testPhasesChangeTheRateAndAnyActionRuns() throws {
        let (server, port) = try startServer()
        defer { server.stop() }
        let result = try report(of: try start(port, ["--action", "get", "--phases", "50:1s,150:1s", "--size", "1KiB"]))
        XCTAssertEqual(result["phases"] as? String, "50:1s,150:1s")
        XCTAssertEqual(result["offered"] as? Int, 200)
        XCTAssertEqual(result["ok"] as? Int, 200, "PUT then GET, bytes verified")
        XCTAssertEqual(result["requests"] as? Int, 400)
        let lines = try rows()
        XCTAssertEqual(lines.prefix(2).map { $0["offered"] ?? 0 }, [50, 150])
    }

    /// The worker is stopped (SIGSTOP) for a second in the middle of the run.
    /// With 2 connections, the actions due meanwhile wait in the backlog and
    /// are sent after SIGCONT, answered at once: measured from their send they
    /// would look fast; from when they were due they took up to the stall.
    private func runThroughAStall(_ arguments: [String]) throws -> (report: [String: Any], rows: [[String: Double]]) {
        let (server, port) = try startServer()
        defer { server.stop() }
        let load = try start(port, ["--action", "baseline", "--rate", "200", "--duration", "3s", "--concurrency", "2"] + arguments)
        usleep(700_000)
        kill(server.pid, SIGSTOP)
        usleep(1_000_000)
        kill(server.pid, SIGCONT)
        return (try report(of: load), try rows())
    }

    func testAStallShowsInTheCorrectedLatencyAndTheRateIsKept() throws {
        let (result, lines) = try runThroughAStall([])
        XCTAssertEqual(result["offered"] as? Int, 600)
        XCTAssertEqual(result["sent"] as? Int, 600, "nothing skipped: the backlog was sent after the stall")
        XCTAssertEqual(result["ok"] as? Int, 600)
        XCTAssertEqual(result["dropped"] as? Int, 0)
        XCTAssertGreaterThanOrEqual(result["action_p99_ms"] as? Double ?? 0, 800, "a 1 s stall minus slack: \(result)")
        XCTAssertGreaterThanOrEqual(kind(result, "GET /")["p99"] ?? 0, 800, "the request's own latency is corrected too")
        XCTAssertEqual(lines.prefix(3).map { $0["offered"] ?? 0 }, [200, 200, 200], "the schedule did not wait for the server")
        XCTAssertGreaterThanOrEqual(lines.map { $0["p99_ms"] ?? 0 }.filter { !$0.isNaN }.max() ?? 0, 500, "\(lines)")
    }

    func testAFullBacklogDropsAndCountsTheExcess() throws {
        let (result, lines) = try runThroughAStall(["--backlog", "20"])
        let dropped = try XCTUnwrap(result["dropped"] as? Int)
        XCTAssertGreaterThan(dropped, 100, "about 200 due in the stall, 22 kept: \(result)")
        XCTAssertEqual(result["offered"] as? Int, 600)
        XCTAssertEqual(result["sent"] as? Int, 600 - dropped)
        XCTAssertEqual(result["action_errors"] as? Int, dropped)
        XCTAssertEqual((result["errors"] as? [String: Int])?["dropped"], dropped, "named in the request report too")
        XCTAssertEqual(Int(lines.reduce(0) { $0 + ($1["dropped"] ?? 0) }), dropped)
    }

    private func kind(_ report: [String: Any], _ name: String) -> [String: Double] {
        (((report["kinds"] as? [String: Any])?[name] as? [String: Any])?["latency_ms"] as? [String: Double]) ?? [:]
    }

    func testARefusedConnectionIsAnErrorAndTheNextActionReconnects() throws {
        let (server, port) = try startServer()
        server.stop()  // nothing listens there now
        let result = try report(of: try start(port, ["--action", "baseline", "--rate", "50", "--duration", "1s"]))
        XCTAssertEqual(result["sent"] as? Int, 50, "every action tried a new connection")
        XCTAssertEqual(result["action_errors"] as? Int, 50)
        XCTAssertEqual(result["answered"] as? Int, 0)
        XCTAssertEqual((result["errors"] as? [String: Int])?["refused"], 50)
    }

    func testOpenLoopUsageErrorsAndHelp() throws {
        for arguments in [["--rate", "100"], ["--rate", "0", "--duration", "1s"], ["--rate", "100", "--duration", "1s", "--amount", "5"],
                          ["--rate", "100", "--duration", "1s", "--phases", "1:1s"], ["--phases", "100:1s", "--duration", "1s"],
                          ["--phases", "100"], ["--phases", "x:1s"], ["--phases", "100:0s"], ["--phases", "100:1s,"],
                          ["--timeline", "-"], ["--rate", "10", "--duration", "1s", "--backlog", "0"]] {
            let process = try TestProcess("blob-load", ["--action", "baseline"] + arguments)
            XCTAssertEqual(process.waitForExit(timeout: 10), 64, "\(arguments): \(process.output)")
        }
        let unwritable = try TestProcess("blob-load", ["--action", "baseline", "--rate", "1", "--duration", "1s", "--timeline", "/nonexistent/dir/t"])
        XCTAssertEqual(unwritable.waitForExit(timeout: 10), 64, unwritable.output)
        XCTAssertTrue(unwritable.output.contains("--timeline"), unwritable.output)
        let help = try TestProcess("blob-load", ["--help"])
        XCTAssertEqual(help.waitForExit(timeout: 10), 0)
        for word in ["--rate", "--phases", "--backlog", "--timeline", "coordinated omission", "p99_ms"] {
            XCTAssertTrue(help.output.contains(word), word)
        }
    }
}
