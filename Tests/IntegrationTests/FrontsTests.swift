import ClusterTesting
import Foundation
import XCTest

/// The fronts that scale, as users run them: `--mode direct` (every worker
/// accepts on the supervisor's socket) and `--balancers 2` (two balancers
/// share it), each through the cluster's own trials: kill -9 under load,
/// HUP, TTIN/TTOU, a graceful TERM with a request in flight, and no process
/// left after TERM or after the supervisor is killed.
final class FrontsTests: XCTestCase {
    private var store = ""
    private var cluster: TestProcess?
    private var port = 0

    /// The fronts under test, by name, with their flags.
    private let fronts: [(name: String, flags: [String])] = [
        ("direct", ["--mode", "direct"]), ("tcp, 2 balancers", ["--mode", "tcp", "--balancers", "2"]),
    ]
    /// http mode retries what a dying worker dropped: with 2 balancers too.
    private let http2 = (name: "http, 2 balancers", flags: ["--mode", "http", "--balancers", "2"])

    override func setUp() {
        store = NSTemporaryDirectory() + "fronts-\(UUID().uuidString)"
    }

    override func tearDown() {
        cluster?.stop(grace: 10)
        try? FileManager.default.removeItem(atPath: store)
    }

    /// Starts a cluster on free ports; returns the pids of its ready line.
    @discardableResult
    private func start(workers: Int, _ flags: [String]) throws -> [Int32] {
        cluster?.stop(grace: 10)
        port = Int.random(in: 20_000...32_000)
        let process = try TestProcess("blob-cluster", ["--workers", "\(workers)", "--store", store, "--port", "\(port)",
                                                       "--worker-base-port", "\(port + 1)"] + flags)
        cluster = process
        let ready = try process.waitForLine(containing: "ready", timeout: 20)
        return ready.components(separatedBy: "pid ").dropFirst().compactMap { Int32($0.prefix { $0.isNumber }) }
    }

    private func alive(_ pid: Int32) -> Bool {
        guard let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8) else { return false }
        return !stat.components(separatedBy: ") ").last!.hasPrefix("Z")
    }

    private func load(_ action: String, amount: Int) throws -> TestProcess {
        try TestProcess("blob-load", ["--action", action, "--amount", "\(amount)", "--url", "http://127.0.0.1:\(port)", "--json"])
    }

    /// blob-load's failures and requests, once it is done.
    private func outcome(_ process: TestProcess) throws -> (failures: Int, requests: Int) {
        XCTAssertEqual(process.waitForExit(timeout: 120), 0)
        let line = try XCTUnwrap(process.output.split(separator: "\n").last { $0.hasPrefix("{") })
        let json = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])
        return (json["failures"] as? Int ?? -1, json["requests"] as? Int ?? 0)
    }

    private func workerPid(port: Int) -> Int32? { SupervisorLog.workerPids(in: cluster!.output)[port] }

    func testReadyLineNamesTheFront() throws {
        let direct = try start(workers: 2, ["--mode", "direct"])
        XCTAssertEqual(direct.count, 3, "two workers and the supervisor: no balancer")
        XCTAssertTrue(cluster!.output.contains("ready: direct 127.0.0.1:\(port)"), cluster!.output)
        XCTAssertEqual(try TestHTTP.request(port: port, method: "PUT", path: "/blobs/u/one", body: Array("1".utf8)).status, 200)
        for own in [port, port + 1, port + 2] {
            XCTAssertEqual(try TestHTTP.request(port: own, method: "GET", path: "/blobs/u/one").text, "1", "port \(own)")
        }
        let balanced = try start(workers: 2, ["--balancers", "2"])
        XCTAssertEqual(balanced.count, 5, "two balancers, two workers, the supervisor")
        XCTAssertTrue(cluster!.output.contains("ready: balancers 127.0.0.1:\(port) (pid \(balanced[0]), pid \(balanced[1]))"))
        // Each balancer's own port (above the workers' and the spare) serves too.
        for own in [port, port + 10, port + 11] {
            XCTAssertEqual(try TestHTTP.request(port: own, method: "GET", path: "/blobs/u/one").text, "1", "port \(own)")
        }
    }

    func testAKilledWorkerUnderLoadIsBackInUnderASecondAndLosesWhatTcpModeMay() throws {
        for front in fronts + [http2] {
            try start(workers: 2, front.flags)
            let loader = try load("baseline", amount: 30_000)
            usleep(300_000)
            let victim = try XCTUnwrap(workerPid(port: port + 1))
            let killed = Date()
            kill(victim, SIGKILL)
            var back: TimeInterval?
            while Date().timeIntervalSince(killed) < 5 {
                if (try? TestHTTP.request(port: port + 1, method: "GET", path: "/healthcheck").status) == 200,
                   let pid = workerPid(port: port + 1), pid != victim {
                    back = Date().timeIntervalSince(killed)
                    break
                }
                usleep(20_000)
            }
            XCTAssertLessThan(try XCTUnwrap(back, "\(front.name): the worker came back"), 1.0, front.name)
            let (failures, requests) = try outcome(loader)
            if front.name == http2.name {
                XCTAssertEqual(failures, 0, "\(front.name) retries on the live worker")
            } else {
                // What ClusterTests allows tcp mode: the requests in flight on the killed worker.
                XCTAssertLessThanOrEqual(Double(failures), Double(requests) * 0.001, "\(front.name): \(failures) of \(requests)")
            }
        }
    }

    func testAKilledBalancerIsRespawnedWhileTheOtherServes() throws {
        let pids = try start(workers: 2, ["--balancers", "2"])
        let loader = try load("baseline", amount: 30_000)
        usleep(300_000)
        kill(pids[0], SIGKILL)
        _ = try cluster!.waitForLine(described: "a new balancer on :\(port + 10)", timeout: 5) { line in
            line.contains("booting balancer (pid ") && line.hasSuffix(":\(port + 10)") && !line.contains("(pid \(pids[0]))")
        }
        let (failures, requests) = try outcome(loader)
        XCTAssertLessThanOrEqual(Double(failures), Double(requests) * 0.001, "\(failures) of \(requests)")
        XCTAssertEqual(try TestHTTP.request(port: port + 10, method: "GET", path: "/").status, 200, "the new one serves")
    }

    /// A replaced worker answers each kept-alive client once more with
    /// `Connection: close` and closes only connections that stayed quiet,
    /// so no front loses a request to a HUP (tcp and direct once lost one
    /// per client connection: a close crossing the next request).
    func testSighupReplacesEveryWorkerUnderLoadAndLosesNothing() throws {
        for front in fronts + [http2] {
            let before = try start(workers: 2, front.flags)
            let loader = try load("get", amount: 3000)
            usleep(200_000)
            cluster!.signal(SIGHUP)
            let (failures, requests) = try outcome(loader)
            XCTAssertEqual(failures, 0, "\(front.name): \(failures) of \(requests)")
            _ = try cluster!.waitForLine(described: "both replaced", timeout: 10) { _ in
                self.cluster!.output.components(separatedBy: "replacing worker").count - 1 == 2
            }
            let oldWorkers = before.dropLast().suffix(2)
            let deadline = Date().addingTimeInterval(10)
            while Date() < deadline && oldWorkers.contains(where: alive) { usleep(50_000) }
            XCTAssertFalse(oldWorkers.contains(where: alive), "\(front.name): old workers are gone")
            XCTAssertEqual(try TestHTTP.request(port: port, method: "GET", path: "/").status, 200, front.name)
        }
    }

    /// A worker retired (TTOU) while it holds a third of 16 busy kept-alive
    /// clients: every request is answered, the ones it had included
    /// (closing its idle connections at once cost about 7 resets here).
    func testAWorkerRetiringUnderKeepAliveLoadLosesNoRequest() throws {
        for front in fronts {
            try start(workers: 3, front.flags)
            let loader = try TestProcess("blob-load", ["--action", "get", "--amount", "10000000", "--duration", "3s",
                                                       "--concurrency", "16", "--url", "http://127.0.0.1:\(port)", "--json"])
            usleep(1_000_000)
            cluster!.signal(SIGTTOU)
            _ = try cluster!.waitForLine(described: "the third worker retired", timeout: 10) { line in
                line.contains("worker (pid ") && line.contains(":\(self.port + 3) exited with code 0")
            }
            let (failures, requests) = try outcome(loader)
            XCTAssertGreaterThan(requests, 1000, front.name)
            XCTAssertEqual(failures, 0, "\(front.name): \(failures) of \(requests)")
        }
    }

    func testTtinAndTtouChangeTheWorkersBehindTheFront() throws {
        for front in fronts {
            try start(workers: 2, front.flags)
            cluster!.signal(SIGTTIN)
            _ = try cluster!.waitForLine(described: "a third worker", timeout: 10) { line in
                line.contains("worker (pid ") && line.contains(":\(self.port + 3) is healthy")
            }
            if front.flags.contains("--balancers") {
                _ = try cluster!.waitForLine(described: "both balancers told", timeout: 5) { _ in
                    self.cluster!.output.components(separatedBy: "backend 127.0.0.1:\(self.port + 3) added").count - 1 == 2
                }
            }
            XCTAssertEqual(try TestHTTP.request(port: port + 3, method: "GET", path: "/").status, 200, front.name)
            for _ in 0..<3 {
                cluster!.signal(SIGTTOU)
                usleep(300_000)  // signals of one kind do not queue: one at a time
            }
            _ = try cluster!.waitForLine(described: "two workers gone", timeout: 15) { _ in
                self.cluster!.output.components(separatedBy: "exited with code 0").count - 1 >= 2
            }
            let left = SupervisorLog.workerPids(in: cluster!.output).filter { alive($0.value) }
            XCTAssertEqual(Array(left.keys), [port + 1], "\(front.name): never below one worker")
            for _ in 0..<10 { XCTAssertEqual(try TestHTTP.request(port: port, method: "GET", path: "/").status, 200, front.name) }
        }
    }

    func testSigtermFinishesTheRequestInFlightAndLeavesNoProcess() throws {
        for front in fronts {
            let pids = try start(workers: 2, front.flags)
            let upload = try TestConnection(port: port)
            try upload.send("PUT /blobs/u/inflight-\(UUID().uuidString) HTTP/1.1\r\nHost: x\r\nContent-Length: 10\r\n\r\n12345")
            usleep(200_000)
            cluster!.signal(SIGTERM)
            XCTAssertNil(cluster!.waitForExit(timeout: 0.5), "\(front.name): the request in flight holds the stop")
            try upload.send("67890")
            XCTAssertEqual(try upload.readResponse().status, 200, front.name)
            upload.close()
            XCTAssertEqual(cluster!.waitForExit(timeout: 15), 0, front.name)
            for pid in pids { XCTAssertFalse(alive(pid), "\(front.name): pid \(pid) outlived the cluster") }
        }
    }

    func testKillDashNineOfTheSupervisorLeavesNoChildWithinTwoSeconds() throws {
        for front in fronts {
            let pids = try start(workers: 2, front.flags)
            cluster!.signal(SIGKILL)
            _ = cluster!.waitForExit(timeout: 5)
            let deadline = Date().addingTimeInterval(2)
            while Date() < deadline && pids.contains(where: alive) { usleep(50_000) }
            for pid in pids { XCTAssertFalse(alive(pid), "\(front.name): pid \(pid) outlived its supervisor") }
        }
    }

    /// `--mode none`: the workers alone, on their own ports, for a balancer
    /// elsewhere; nothing is bound on --port, and the cluster still heals
    /// and stops as any other.
    func testModeNoneRunsTheWorkersAloneAndBindsNoFront() throws {
        let pids = try start(workers: 2, ["--mode", "none"])
        XCTAssertEqual(pids.count, 3, "two workers and the supervisor")
        XCTAssertTrue(cluster!.output.contains("ready: no front (--mode none), workers :\(port + 1) (pid "), cluster!.output)
        XCTAssertThrowsError(try TestHTTP.request(port: port, method: "GET", path: "/"), "nothing listens on --port")
        XCTAssertEqual(try TestHTTP.request(port: port + 1, method: "PUT", path: "/blobs/u/none", body: Array("n".utf8)).status, 200)
        XCTAssertEqual(try TestHTTP.request(port: port + 2, method: "GET", path: "/blobs/u/none").text, "n")
        let victim = try XCTUnwrap(workerPid(port: port + 2))
        kill(victim, SIGKILL)
        _ = try cluster!.waitForLine(described: "a new worker on :\(port + 2) healthy", timeout: 10) { line in
            line.contains(":\(self.port + 2) is healthy") && !line.contains("(pid \(victim))")
        }
        XCTAssertEqual(try TestHTTP.request(port: port + 2, method: "GET", path: "/blobs/u/none").text, "n")
        let status = try TestProcess("blob-cluster", ["status", "--store", store])
        XCTAssertEqual(status.waitForExit(timeout: 10), 0)
        XCTAssertTrue(status.output.contains("none mode, front none, running"), status.output)
        cluster!.signal(SIGTERM)
        XCTAssertEqual(cluster!.waitForExit(timeout: 15), 0)
        for pid in SupervisorLog.workerPids(in: cluster!.output).values { XCTAssertFalse(alive(pid), "worker \(pid) outlived the cluster") }

        let refused = try TestProcess("blob-cluster", ["--mode", "none", "--balancers", "2", "--store", store])
        XCTAssertEqual(refused.waitForExit(timeout: 10), 64)
        XCTAssertTrue(refused.output.contains("--balancers is for tcp and http modes; none mode has none"), refused.output)
    }

    /// Once the cluster has served, a worker that cannot start (here: its
    /// port taken by someone else, exit 3) is retried with backoff while
    /// the others serve, and gets in once the cause is gone; before, it
    /// stopped the whole cluster.
    func testAReplacementThatCannotStartIsRetriedWhileTheOthersServe() throws {
        let pids = try start(workers: 2, ["--mode", "direct"])
        let squatter = try XCTUnwrap(Self.listen(on: port + 3), "could not listen on port \(port + 3): another process holds it")
        cluster!.signal(SIGHUP)
        _ = try cluster!.waitForLine(described: "two failed starts on :\(port + 3)", timeout: 10) { _ in
            self.cluster!.output.components(separatedBy: "could not start (exit 3); the cluster has served, so it is retried").count - 1 >= 2
        }
        XCTAssertNil(cluster!.waitForExit(timeout: 0.1), "the cluster still runs")
        for _ in 0..<10 { XCTAssertEqual(try TestHTTP.request(port: port, method: "GET", path: "/").status, 200) }
        for pid in pids.prefix(2) { XCTAssertTrue(alive(pid), "old worker \(pid) serves until its replacement is healthy") }
        close(squatter)
        _ = try cluster!.waitForLine(described: "both workers replaced", timeout: 20) { _ in
            self.cluster!.output.components(separatedBy: "exited with code 0").count - 1 == 2
        }
        XCTAssertEqual(try TestHTTP.request(port: port, method: "GET", path: "/").status, 200)
    }

    /// A listening socket on 127.0.0.1:`port` (nil if another socket listens
    /// there). SO_REUSEADDR as the servers have it: a connection of an earlier
    /// test on that port may still be in TIME_WAIT, which must not stop us.
    private static func listen(on port: Int) -> Int32? {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        var one: Int32 = 1
        setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, socklen_t(MemoryLayout<Int32>.size))
        var address = loopbackAddress(port: port)
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard bound == 0, Glibc.listen(fd, 1) == 0 else {
            close(fd)
            return nil
        }
        return fd
    }
}
