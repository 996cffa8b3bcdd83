import ClusterTesting
import Foundation
import XCTest

/// blob-cluster as users run it: started, used, hurt, scaled and stopped,
/// with every process checked by pid.
final class ClusterTests: XCTestCase {
    private var store = ""
    private var cluster: TestProcess?
    private var port = 0

    override func setUp() {
        store = NSTemporaryDirectory() + "cluster-\(UUID().uuidString)"
    }

    override func tearDown() {
        cluster?.stop(grace: 10)
        try? FileManager.default.removeItem(atPath: store)
    }

    /// Starts a cluster on free ports; returns the pids named in its ready line.
    @discardableResult
    private func start(workers: Int, mode: String = "tcp", extra: [String] = []) throws -> [Int32] {
        port = Int.random(in: 20_000...32_000)  // below the ephemeral range
        let process = try TestProcess("blob-cluster", ["--workers", "\(workers)", "--store", store, "--port", "\(port)",
                                                       "--worker-base-port", "\(port + 1)", "--mode", mode] + extra)
        cluster = process
        let ready = try process.waitForLine(containing: "ready", timeout: 20)
        return pids(in: ready)
    }

    private func pids(in line: String) -> [Int32] {
        line.components(separatedBy: "pid ").dropFirst().compactMap { Int32($0.prefix { $0.isNumber }) }
    }

    private func alive(_ pid: Int32) -> Bool {
        guard let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8) else { return false }
        return !stat.components(separatedBy: ") ").last!.hasPrefix("Z")
    }

    private func load(_ action: String, amount: Int) throws -> TestProcess {
        try TestProcess("blob-load", ["--action", action, "--amount", "\(amount)", "--url", "http://127.0.0.1:\(port)", "--json"])
    }

    private func report(_ process: TestProcess) throws -> [String: Any] {
        XCTAssertEqual(process.waitForExit(timeout: 120), 0)
        let line = try XCTUnwrap(process.output.split(separator: "\n").last { $0.hasPrefix("{") })
        return try XCTUnwrap(JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])
    }

    func testFourWorkersServeTheAPIThroughTheFrontPort() throws {
        let pids = try start(workers: 4)
        XCTAssertEqual(pids.count, 6, "balancer, four workers, supervisor")
        XCTAssertEqual(try TestHTTP.request(port: port, method: "PUT", path: "/blobs/u/one", body: Array("1".utf8)).status, 200)
        XCTAssertEqual(try TestHTTP.request(port: port, method: "GET", path: "/blobs/u/one").text, "1")
        for worker in 1...4 {
            XCTAssertEqual(try TestHTTP.request(port: port + worker, method: "GET", path: "/blobs/u/one").text, "1")
        }
    }

    func testAKilledWorkerUnderLoadIsBackInUnderASecond() throws {
        for mode in ["tcp", "http"] {
            try start(workers: 2, mode: mode)
            let loader = try load("baseline", amount: 30_000)
            usleep(300_000)
            let victim = try XCTUnwrap(Int32(try TestHTTP.request(port: port + 1, method: "GET", path: "/healthcheck").status == 200 ? workerPid(port: port + 1) : 0))
            let killed = Date()
            kill(victim, SIGKILL)
            var back: TimeInterval?
            while Date().timeIntervalSince(killed) < 5 {
                if (try? TestHTTP.request(port: port + 1, method: "GET", path: "/healthcheck").status) == 200,
                   workerPid(port: port + 1) != victim {
                    back = Date().timeIntervalSince(killed)
                    break
                }
                usleep(20_000)
            }
            XCTAssertLessThan(try XCTUnwrap(back, "\(mode): the worker came back"), 1.0, mode)
            let result = try report(loader)
            let failures = result["failures"] as? Int ?? -1
            let requests = result["requests"] as? Int ?? 0
            if mode == "tcp" {
                XCTAssertLessThanOrEqual(Double(failures), Double(requests) * 0.001, "\(failures) of \(requests)")
            } else {
                XCTAssertEqual(failures, 0, "http mode retries on the live worker")
            }
            cluster?.stop(grace: 10)
        }
    }

    /// The pid of the worker listening on `port`, from the supervisor's log.
    private func workerPid(port: Int) -> Int32 {
        let lines = cluster!.output.split(separator: "\n").filter { $0.contains("booting worker") && $0.hasSuffix(":\(port)") }
        guard let last = lines.last, let range = last.range(of: "(pid ") else { return 0 }
        return Int32(last[range.upperBound...].prefix { $0.isNumber }) ?? 0
    }

    func testSighupReplacesWorkersWithoutAFailedRequestInHTTPMode() throws {
        let before = try start(workers: 2, mode: "http")
        let loader = try load("get", amount: 3000)
        usleep(200_000)
        cluster!.signal(SIGHUP)
        let result = try report(loader)
        XCTAssertEqual(result["failures"] as? Int, 0)
        let replaced = cluster!.output.components(separatedBy: "replacing worker").count - 1
        XCTAssertEqual(replaced, 2, cluster!.output)
        XCTAssertFalse(alive(before[1]) && alive(before[2]), "old workers are gone")
    }

    func testTtinAndTtouChangeTheWorkerCountAndTheBalancerFollows() throws {
        try start(workers: 2, mode: "http", extra: ["--expose-backend"])
        cluster!.signal(SIGTTIN)
        try cluster!.waitForLine(containing: "backend 127.0.0.1:\(port + 3) added", timeout: 5)
        var seen = Set<String>()
        for _ in 0..<6 { seen.insert(try TestHTTP.request(port: port, method: "GET", path: "/").headers["x-backend"] ?? "") }
        XCTAssertEqual(seen.count, 3)
        for _ in 0..<3 {
            cluster!.signal(SIGTTOU)
            usleep(300_000)  // signals of one kind do not queue: one at a time
        }
        usleep(1_000_000)
        seen = []
        for _ in 0..<6 { seen.insert(try TestHTTP.request(port: port, method: "GET", path: "/").headers["x-backend"] ?? "") }
        XCTAssertEqual(seen, ["127.0.0.1:\(port + 1)"], "never below one worker")
    }

    func testSigtermLeavesNoProcessBehind() throws {
        let pids = try start(workers: 3)
        cluster!.signal(SIGTERM)
        XCTAssertEqual(cluster!.waitForExit(timeout: 15), 0)
        for pid in pids { XCTAssertFalse(alive(pid), "pid \(pid) outlived the cluster") }
    }

    func testKillDashNineOfTheSupervisorLeavesNoChildWithinTwoSeconds() throws {
        let pids = try start(workers: 2)
        cluster!.signal(SIGKILL)
        _ = cluster!.waitForExit(timeout: 5)
        let deadline = Date().addingTimeInterval(2)
        while Date() < deadline && pids.contains(where: alive) { usleep(50_000) }
        for pid in pids { XCTAssertFalse(alive(pid), "pid \(pid) outlived its supervisor") }
    }

    func testASecondClusterOnTheSamePortsFailsClearly() throws {
        try start(workers: 1)
        let second = try TestProcess("blob-cluster", ["--workers", "1", "--store", store, "--port", "\(port)",
                                                      "--worker-base-port", "\(port + 1)"])
        XCTAssertEqual(second.waitForExit(timeout: 15), 3)
        XCTAssertTrue(second.output.contains("port 127.0.0.1:\(port) is in use"), second.output)
        XCTAssertEqual(try TestHTTP.request(port: port, method: "GET", path: "/").status, 200, "the first one still serves")
    }

    func testQuotaAndListingBoundsReachTheWorkers() throws {
        let pids = try start(workers: 1, extra: ["--quota", "10KiB", "--quota-lock-wait", "300ms",
                                                 "--max-listings", "1", "--listing-queue", "0"])
        let body = [UInt8](repeating: 7, count: 10 * 1024)
        XCTAssertEqual(try TestHTTP.request(port: port, method: "PUT", path: "/blobs/q/first", body: body).status, 200)
        XCTAssertEqual(try TestHTTP.request(port: port, method: "PUT", path: "/blobs/q/second", body: body).status, 507,
                       "the workers enforce the cluster's --quota")
        // The worker's own command line carries the bounds (a listing would
        // need a namespace big enough to hold its one slot to show them).
        let worker = try XCTUnwrap(pids.dropFirst().first)
        let arguments = try String(contentsOfFile: "/proc/\(worker)/cmdline", encoding: .utf8).split(separator: "\0").map(String.init)
        for (flag, value) in [("--quota-lock-wait", "300ms"), ("--max-listings", "1"), ("--listing-queue", "0")] {
            let index = try XCTUnwrap(arguments.firstIndex(of: flag), "\(flag) in \(arguments)")
            XCTAssertEqual(arguments[index + 1], value)
        }
        for bad in [["--listing-queue", "-1"], ["--max-listings", "0"], ["--quota-lock-wait", "6s"]] {
            let process = try TestProcess("blob-cluster", ["--workers", "1", "--store", store] + bad)
            XCTAssertEqual(process.waitForExit(timeout: 10), 64, "\(bad)")
        }
    }

    func testBadArgumentsAreUsageErrors() throws {
        let process = try TestProcess("blob-cluster", ["--workers", "0", "--store", store])
        XCTAssertEqual(process.waitForExit(timeout: 10), 64)
        XCTAssertTrue(process.output.contains("--workers"))
        let help = try TestProcess("blob-cluster", ["--help"])
        XCTAssertEqual(help.waitForExit(timeout: 10), 0)
        XCTAssertTrue(help.output.contains("SIGHUP") || help.output.contains("HUP"))
    }
}
