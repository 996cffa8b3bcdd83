import ClusterTesting
import Foundation
import XCTest

/// The real blob-balancer's limits and lifecycle: exit codes, SIGTERM,
/// `--maxconn`, `--timeout-client`, the `drain` and `stop` control lines,
/// and a large body through tcp mode with bounded memory.
final class BalancerLimitsTests: XCTestCase {
    private var store = ""
    private var workers: [TestProcess] = []
    private var workerPorts: [Int] = []
    private var balancers: [TestProcess] = []

    override func setUpWithError() throws {
        store = NSTemporaryDirectory() + "balancer-limits-\(UUID().uuidString)"
        for _ in 0..<2 {
            let worker = try TestProcess("blob-server", ["--port", "0", "--store", store])
            workerPorts.append(try worker.waitForListeningPort())
            workers.append(worker)
        }
    }

    override func tearDown() {
        balancers.forEach { $0.stop() }
        workers.forEach { $0.stop() }
        try? FileManager.default.removeItem(atPath: store)
    }

    private func start(_ extra: [String], stdin: Pipe? = nil) throws -> (TestProcess, Int) {
        var arguments = ["--port", "0", "--check-inter", "200ms"]
        for port in workerPorts { arguments += ["--backend", "127.0.0.1:\(port)"] }
        let process = try TestProcess("blob-balancer", arguments + extra, stdin: stdin)
        balancers.append(process)
        return (process, try process.waitForListeningPort())
    }

    func testHelpPortInUseAndSigterm() throws {
        let help = try TestProcess("blob-balancer", ["--help"])
        XCTAssertEqual(help.waitForExit(timeout: 10), 0)
        for flag in ["--backend", "--mode", "--retries", "--check-inter", "--rise", "--fall", "--maxconn", "--control-fd",
                     "--timeout-http-request", "--timeout-server", "--expose-backend"] {
            XCTAssertTrue(help.output.contains(flag), flag)
        }
        let (first, port) = try start(["--mode", "http"])
        let second = try TestProcess("blob-balancer", ["--port", "\(port)", "--backend", "127.0.0.1:\(workerPorts[0])"])
        XCTAssertEqual(second.waitForExit(timeout: 10), 3)
        XCTAssertTrue(second.output.contains("Address already in use"), second.output)
        XCTAssertEqual(second.output.split(separator: "\n").count, 1, second.output)
        first.signal(SIGTERM)
        XCTAssertEqual(first.waitForExit(timeout: 5), 0)
    }

    func testMaxconnKeepsFurtherClientsInTheBacklog() throws {
        let (_, port) = try start(["--mode", "http", "--maxconn", "2"])
        let held = try (0..<2).map { _ in try TestConnection(port: port) }
        for connection in held {
            try connection.send("GET / HTTP/1.1\r\nHost: x\r\n\r\n")
            XCTAssertEqual(try connection.readResponse().status, 200)
        }
        let waiting = try TestConnection(port: port, timeout: 0.7)
        try waiting.send("GET / HTTP/1.1\r\nHost: x\r\n\r\n")
        XCTAssertThrowsError(try waiting.readResponse(), "a third client waits while two are open")
        held[0].close()
        XCTAssertEqual(try waiting.readResponse().status, 200, "and is served once one leaves")
    }

    func testIdleClientsAreClosedAfterTheClientTimeout() throws {
        for mode in ["http", "tcp"] {
            let (_, port) = try start(["--mode", mode, "--timeout-client", "1s", "--timeout-server", "1s"])
            let idle = try TestConnection(port: port, timeout: 5)
            let started = Date()
            XCTAssertTrue(idle.isClosedByPeer(), mode)
            XCTAssertLessThan(Date().timeIntervalSince(started), 4, mode)
        }
    }

    func testDrainTakesNoNewRequestsAndStopFinishesInFlight() throws {
        let pipe = Pipe()
        let (process, port) = try start(["--mode", "http", "--control-fd", "0", "--expose-backend"], stdin: pipe)
        let kept = try TestConnection(port: port)
        pipe.fileHandleForWriting.write(Data("drain 127.0.0.1:\(workerPorts[0])\n".utf8))
        try process.waitForLine(containing: "draining")
        for _ in 0..<4 {
            try kept.send("GET / HTTP/1.1\r\nHost: x\r\n\r\n")
            XCTAssertEqual(try kept.readResponse().headers["x-backend"], "127.0.0.1:\(workerPorts[1])")
        }
        pipe.fileHandleForWriting.write(Data("stop\n".utf8))
        XCTAssertEqual(process.waitForExit(timeout: 5), 0, "stop: no request in flight, exits at once")
        XCTAssertThrowsError(try TestConnection(port: port), "no longer listening")
    }

    func testALargeBodyStreamsThroughTCPModeWithBoundedMemory() throws {
        let (process, port) = try start(["--mode", "tcp"])
        let before = process.residentKiB
        let size = 64 * 1024 * 1024
        let upload = try TestConnection(port: port, timeout: 60)
        try upload.send("PUT /blobs/big/tcp HTTP/1.1\r\nHost: x\r\nContent-Length: \(size)\r\n\r\n")
        let chunk = [UInt8](repeating: 0x42, count: 1 << 20)
        for _ in 0..<(size / chunk.count) { try upload.send(chunk) }
        XCTAssertEqual(try upload.readResponse().status, 200)
        let download = try TestConnection(port: port, timeout: 60)
        try download.send("GET /blobs/big/tcp HTTP/1.1\r\nHost: x\r\n\r\n")
        XCTAssertEqual(try download.readResponse().body.count, size)
        let after = process.residentKiB
        XCTAssertLessThan(after - before, 16 * 1024, "RSS grew from \(before) KiB to \(after) KiB")
    }
}
