import ClusterTesting
import Foundation
import XCTest

/// `blob-cluster status` against a running cluster: what an operator reads
/// is what runs (pids, ports, states, restarts, last exits), and the
/// control socket holds nothing for a client and is cleaned up.
final class ClusterStatusTests: XCTestCase {
    private var directory = ""
    private var store: String { directory + "/store" }
    private var processes: [TestProcess] = []
    private var port = 0

    override func setUp() {
        directory = NSTemporaryDirectory() + "status-\(UUID().uuidString.prefix(8))"
    }

    override func tearDown() {
        processes.forEach { $0.stop(grace: 10) }
        try? FileManager.default.removeItem(atPath: directory)
    }

    private func start(workers: Int, extra: [String] = []) throws -> TestProcess {
        port = Int.random(in: 20_000...32_000)
        let cluster = try TestProcess("blob-cluster", ["--workers", "\(workers)", "--store", store, "--port", "\(port)",
                                                       "--worker-base-port", "\(port + 1)", "--mode", "http"] + extra)
        processes.append(cluster)
        _ = try cluster.waitForLine(containing: "ready", timeout: 20)
        return cluster
    }

    /// The status command's exit code and output.
    private func status(_ arguments: [String]) throws -> (code: Int32?, text: String) {
        let process = try TestProcess("blob-cluster", ["status"] + arguments)
        let code = process.waitForExit(timeout: 10)
        return (code, process.output)
    }

    /// The children table's rows, by port: [role, pid, port, state, uptime, restarts, last exit...].
    private func rows(_ text: String) -> [Int: [String]] {
        var rows: [Int: [String]] = [:]
        for line in text.split(separator: "\n") where line.hasPrefix("balancer ") || line.hasPrefix("worker ") {
            let cells = line.split(separator: " ", omittingEmptySubsequences: true).map(String.init)
            if let port = Int(cells[2]) { rows[port] = cells }
        }
        return rows
    }

    func testStatusShowsEachChildAndFollowsACrashAndAScaleOut() throws {
        let cluster = try start(workers: 2)
        let first = try status(["--store", store])
        XCTAssertEqual(first.code, 0, first.text)
        XCTAssertTrue(first.text.hasPrefix("blob-cluster pid \(cluster.pid), http mode, front 127.0.0.1:\(port), running"), first.text)
        var table = rows(first.text)
        XCTAssertEqual(Set(table.keys), [port + 1, port + 2, port + 10], "two workers and the balancer (above the 8 + 1 worker ports)")
        XCTAssertEqual(table[port + 10]?[0], "balancer")
        for worker in [port + 1, port + 2] {
            let row = try XCTUnwrap(table[worker])
            XCTAssertEqual(row[0], "worker")
            XCTAssertEqual(row[3], "running")
            XCTAssertEqual(row[5], "0", "no restarts yet")
            XCTAssertEqual(row[6], "-", "no exit yet")
            let pid = try XCTUnwrap(Int32(row[1]))
            XCTAssertTrue(FileManager.default.fileExists(atPath: "/proc/\(pid)"), "the pid shown runs")
        }
        XCTAssertTrue(first.text.contains(":\(port + 1)  add"), "both workers announced to the balancers: \(first.text)")
        // The balancer's own view, asked over its control channel every 2 s.
        let balancerPid = try XCTUnwrap(table[port + 10]?[1])
        var view = ""
        let asked = Date().addingTimeInterval(6)
        repeat {
            usleep(250_000)
            view = try status(["--store", store]).text
        } while Date() < asked && view.contains("\(balancerPid) not yet")
        let backendRows = view.split(separator: "\n").drop { !$0.hasPrefix("WORKER") }.dropFirst()
            .map { $0.split(separator: " ").map(String.init) }
        XCTAssertEqual(backendRows.map { $0[0] }, [":\(port + 1)", ":\(port + 2)"], view)
        XCTAssertEqual(backendRows.map { $0.last }, ["up", "up"], "the balancer reports both up: \(view)")

        // A worker killed: its slot shows the restart and how it ended.
        let victim = try XCTUnwrap(Int32(table[port + 2]![1]))
        kill(victim, SIGKILL)
        let deadline = Date().addingTimeInterval(10)
        repeat {
            usleep(200_000)
            table = rows(try status(["--store", store]).text)
        } while Date() < deadline && (table[port + 2]?[1] == String(victim) || table[port + 2]?[3] != "running")
        let reborn = try XCTUnwrap(table[port + 2])
        XCTAssertNotEqual(reborn[1], String(victim))
        XCTAssertEqual(reborn[5], "1")
        XCTAssertEqual(reborn[6...9].joined(separator: " "), "killed by signal 9")

        cluster.signal(SIGTTIN)
        _ = try cluster.waitForLine(described: "the third worker healthy", timeout: 20) { $0.contains(":\(self.port + 3) is healthy") }
        let scaled = try status(["--store", store])
        XCTAssertTrue(scaled.text.contains("workers wanted 3"), scaled.text)
        XCTAssertEqual(rows(scaled.text)[port + 3]?[3], "running")

        // The socket goes with the supervisor.
        let socket = store + ".control.sock"
        XCTAssertTrue(FileManager.default.fileExists(atPath: socket))
        cluster.signal(SIGTERM)
        XCTAssertEqual(cluster.waitForExit(timeout: 20), 0)
        XCTAssertFalse(FileManager.default.fileExists(atPath: socket), "removed on exit")
        let none = try status(["--store", store])
        XCTAssertEqual(none.code, 1)
        XCTAssertTrue(none.text.contains("no supervisor answers at \(socket)"), none.text)
    }

    func testClientsThatNeverReadHoldNothingAndAnExplicitSocketWorks() throws {
        let socket = directory + "/ctl/cluster.sock"
        let cluster = try start(workers: 1, extra: ["--control-socket", socket])
        // Fifty clients connect and never read: each got its answer and was closed.
        var silent: [Int32] = []
        for _ in 0..<50 {
            let fd = Foundation.socket(AF_UNIX, Int32(SOCK_STREAM.rawValue), 0)
            var address = sockaddr_un()
            address.sun_family = sa_family_t(AF_UNIX)
            withUnsafeMutableBytes(of: &address.sun_path) { $0.copyBytes(from: Array(socket.utf8)) }
            let connected = withUnsafePointer(to: &address) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_un>.size)) }
            }
            XCTAssertEqual(connected, 0)
            silent.append(fd)
        }
        defer { silent.forEach { close($0) } }
        let answer = try status(["--control-socket", socket])
        XCTAssertEqual(answer.code, 0, answer.text)
        XCTAssertEqual(rows(answer.text).count, 2)
        XCTAssertEqual(try TestHTTP.request(port: port, method: "GET", path: "/").status, 200)
        let open = try FileManager.default.contentsOfDirectory(atPath: "/proc/\(cluster.pid)/fd").count
        XCTAssertLessThan(open, 40, "the supervisor closed every control connection")
    }

    func testAStaleSocketIsReplacedAndSomethingElseAtThePathIsRefused() throws {
        // A supervisor killed with -9 leaves its socket file behind.
        let first = try start(workers: 1)
        kill(first.pid, SIGKILL)
        XCTAssertNotNil(first.waitForExit(timeout: 10))
        // Its children see their lifeline close and leave.
        usleep(1_000_000)
        let socket = store + ".control.sock"
        XCTAssertTrue(FileManager.default.fileExists(atPath: socket))
        let second = try start(workers: 1)
        XCTAssertEqual(try status(["--store", store]).text.hasPrefix("blob-cluster pid \(second.pid)"), true)
        second.signal(SIGTERM)
        XCTAssertEqual(second.waitForExit(timeout: 20), 0)

        FileManager.default.createFile(atPath: socket, contents: Data("not a socket".utf8))
        let refused = try TestProcess("blob-cluster", ["--store", store, "--port", "\(port)", "--worker-base-port", "\(port + 1)"])
        processes.append(refused)
        XCTAssertEqual(refused.waitForExit(timeout: 10), 3)
        XCTAssertTrue(refused.output.contains("\(socket) exists and is not a socket"), refused.output)
        XCTAssertEqual(try String(contentsOfFile: socket, encoding: .utf8), "not a socket", "left alone")
    }
}
