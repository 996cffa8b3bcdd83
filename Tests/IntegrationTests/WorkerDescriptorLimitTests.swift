import ClusterTesting
import Foundation
import XCTest
#if canImport(Glibc)
import Glibc
#endif

/// A worker started under `ulimit -n 128` and flooded with connections:
/// it caps what it accepts by its descriptor limit, does not spin while
/// clients only hold connections, and accepts again once they close.
final class WorkerDescriptorLimitTests: XCTestCase {
    private var worker: Process?
    private var logURL: URL!
    private var store = ""

    override func tearDown() {
        if let worker, worker.isRunning {
            kill(worker.processIdentifier, SIGKILL)
            worker.waitUntilExit()
        }
        try? FileManager.default.removeItem(atPath: store)
        if let logURL { try? FileManager.default.removeItem(at: logURL) }
    }

    private var log: String { (try? String(contentsOf: logURL, encoding: .utf8)) ?? "" }

    /// Starts blob-server through a shell that lowers its descriptor limit
    /// (soft and hard, so raising it at start cannot undo that); `exec`
    /// keeps the pid. Returns the port.
    private func startWorker(descriptorLimit: Int) throws -> Int {
        store = NSTemporaryDirectory() + "worker-fd-limit-\(UUID().uuidString)"
        logURL = FileManager.default.temporaryDirectory.appendingPathComponent("blob-server-\(UUID().uuidString).log")
        FileManager.default.createFile(atPath: logURL.path, contents: nil)
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/bin/sh")
        let binary = TestProcess.binDirectory.appendingPathComponent("blob-server").path
        process.arguments = ["-c", "ulimit -n \(descriptorLimit) && exec \"$0\" \"$@\"", binary, "--port", "0", "--store", store]
        let output = try FileHandle(forWritingTo: logURL)
        process.standardOutput = output
        process.standardError = output
        process.standardInput = FileHandle.nullDevice
        try process.run()
        try? output.close()
        worker = process
        let deadline = Date().addingTimeInterval(10)
        while Date() < deadline {
            if let line = log.split(separator: "\n").first(where: { $0.contains("blob-server listening on ") }),
               let port = Int(line.components(separatedBy: "listening on ")[1].split(separator: " ")[0].split(separator: ":").last ?? "") {
                return port
            }
            guard process.isRunning else { break }
            usleep(20_000)
        }
        throw TestProcessError.timedOut(marker: "listening on", output: log)
    }

    func testFiveHundredClientsUnderAHundredTwentyEightDescriptorsNeitherSpinNorStickTheWorker() throws {
        let port = try startWorker(descriptorLimit: 128)
        let pid = worker!.processIdentifier
        XCTAssertTrue(log.contains("at most 48 connections (128 descriptors)"), log)
        var clients: [TestConnection] = []
        for _ in 0..<500 { clients.append(try TestConnection(port: port)) }
        usleep(300_000)
        // The clients only hold their connections: the worker must idle.
        let cpuBefore = ProcessCPU.seconds(pid: pid)
        let waited = 2.0
        usleep(UInt32(waited * 1_000_000))
        let cpu = ProcessCPU.seconds(pid: pid) - cpuBefore
        XCTAssertLessThan(cpu, 0.05 * waited, "the worker used \(cpu) s of CPU in \(waited) s of held connections")
        // The first clients were accepted and are served.
        try clients[0].send("GET / HTTP/1.1\r\nHost: x\r\n\r\n")
        XCTAssertEqual(try clients[0].readResponse().status, 200)
        clients.forEach { $0.close() }
        clients = []
        // Once they are gone, a new client is accepted and answered.
        let deadline = Date().addingTimeInterval(10)
        var status = 0
        while status != 200 && Date() < deadline {
            status = (try? TestHTTP.request(port: port, method: "GET", path: "/").status) ?? 0
            if status != 200 { usleep(100_000) }
        }
        XCTAssertEqual(status, 200, "a new client after the flood gets 200")
        XCTAssertTrue(worker!.isRunning, "the worker is alive:\n\(log)")
        XCTAssertLessThan(log.split(separator: "\n").count, 20, "no log flood:\n\(log)")
    }
}
