import ClusterTesting
import Foundation
import XCTest
#if canImport(Glibc)
import Glibc
#endif

/// The http balancer's clocks, against real workers on 127.0.0.1:
/// `--timeout-http-request` (a head must arrive whole in time, however it
/// trickles) and `--timeout-server` (backend inactivity, not request age).
final class BalancerTimeoutTests: XCTestCase {
    private var group: WorkerGroup!
    private var store: String { group.store }
    private var workers: [TestProcess] { group.processes }
    private var workerPorts: [Int] { group.ports }
    private var balancer: TestProcess?

    override func setUpWithError() throws {
        group = try WorkerGroup(count: 2, storeName: "balancer-timeouts")
    }

    override func tearDown() {
        balancer?.stop()
        group?.stop()
    }

    private func startBalancer(_ extra: [String], backends: [Int]? = nil) throws -> Int {
        var arguments = ["--port", "0", "--mode", "http", "--check-inter", "200ms"]
        for port in backends ?? workerPorts { arguments += ["--backend", "127.0.0.1:\(port)"] }
        let process = try TestProcess("blob-balancer", arguments + extra)
        balancer = process
        return try process.waitForListeningPort()
    }

    /// A thousand sockets here, and the balancer's side of each.
    private func raiseDescriptorLimit(to wanted: rlim_t) {
        var limit = rlimit()
        guard getrlimit(__rlimit_resource_t(RLIMIT_NOFILE.rawValue), &limit) == 0, limit.rlim_cur < wanted else { return }
        limit.rlim_cur = min(wanted, limit.rlim_max)
        setrlimit(__rlimit_resource_t(RLIMIT_NOFILE.rawValue), &limit)
    }

    func testSlowlorisClientsGet408AfterTheHeadTimeoutWhileAnHonestClientIsServed() throws {
        raiseDescriptorLimit(to: 4096)
        let port = try startBalancer(["--timeout-http-request", "2s"])
        let baseline = balancer!.openDescriptorCount
        let started = Date()
        var slow: [TestConnection] = []
        defer { slow.forEach { $0.close() } }
        for _ in 0..<1000 {
            let connection = try TestConnection(port: port, timeout: 5)
            try connection.send("GET / HTTP/1.1\r\nHost: x\r\nX-Slow")
            slow.append(connection)
        }
        // A byte a second to each (the head never ends), an honest request
        // every 50 ms, and when each slow one first hears from the balancer.
        var heardAt = [Double?](repeating: nil, count: slow.count)
        var honest: [Int] = []
        var nextTrickle = 1.0
        while Date().timeIntervalSince(started) < 4.5 {
            var polls = slow.map { pollfd(fd: $0.fd, events: Int16(POLLIN), revents: 0) }
            _ = poll(&polls, nfds_t(polls.count), 0)
            let now = Date().timeIntervalSince(started)
            for index in polls.indices where polls[index].revents != 0 && heardAt[index] == nil { heardAt[index] = now }
            if now >= nextTrickle {
                for index in slow.indices where heardAt[index] == nil { try slow[index].send("y") }
                nextTrickle += 1
            }
            honest.append((try? TestHTTP.request(port: port, method: "GET", path: "/").status) ?? -1)
            usleep(50_000)
        }
        XCTAssertGreaterThan(honest.count, 20)
        XCTAssertEqual(honest.filter { $0 != 200 }, [], "the honest client got every answer")
        let heard = heardAt.compactMap { $0 }
        XCTAssertEqual(heard.count, slow.count, "every slowloris connection was answered")
        XCTAssertGreaterThanOrEqual(heard.min() ?? 0, 1.9, "not before the timeout")
        XCTAssertLessThan(heard.max() ?? 99, 4, "soon after it")
        var answered408AndClosed = 0
        for connection in slow where (try? connection.readResponse().status) == 408 && connection.isClosedByPeer() {
            answered408AndClosed += 1
        }
        XCTAssertEqual(answered408AndClosed, slow.count)
        XCTAssertLessThanOrEqual(balancer!.openDescriptorCount, baseline + 4, "the balancer let go of them")
    }

    func testAnUploadTricklingLongerThanTheServerTimeoutSucceeds() throws {
        let port = try startBalancer(["--timeout-server", "1s"])
        let body = Array("trickled".utf8)
        let upload = try TestConnection(port: port)
        let started = Date()
        try upload.send("PUT /blobs/slow/upload HTTP/1.1\r\nHost: x\r\nContent-Length: \(body.count)\r\n\r\n")
        for byte in body {
            usleep(400_000)  // never a pause as long as the timeout, 3.2 s in all
            try upload.send([byte])
        }
        XCTAssertEqual(try upload.readResponse().status, 200)
        XCTAssertGreaterThan(Date().timeIntervalSince(started), 3)
        XCTAssertEqual(try TestHTTP.request(port: port, method: "GET", path: "/blobs/slow/upload").body, body)
    }

    func testABackendSilentLongerThanTheServerTimeoutIs504() throws {
        let silent = try SilentListener()
        defer { silent.close() }
        let port = try startBalancer(["--timeout-server", "1s"], backends: [silent.port])
        let started = Date()
        let response = try TestHTTP.request(port: port, method: "GET", path: "/")
        let elapsed = Date().timeIntervalSince(started)
        XCTAssertEqual(response.status, 504)
        XCTAssertGreaterThanOrEqual(elapsed, 1)
        XCTAssertLessThan(elapsed, 3)
    }
}

/// A backend that takes connections (the kernel completes them in the
/// backlog) and never says a word.
private final class SilentListener {
    private(set) var fd: Int32
    let port: Int

    init() throws {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        self.fd = fd
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                bind(fd, $0, length) == 0 && listen(fd, 64) == 0 && getsockname(fd, $0, &length) == 0
            }
        }
        guard fd >= 0, bound else {
            let code = errno
            if fd >= 0 { Glibc.close(fd) }
            throw TestConnectionError.system("listen", code)
        }
        port = Int(UInt16(bigEndian: address.sin_port))
    }

    func close() {
        if fd >= 0 { Glibc.close(fd); fd = -1 }
    }

    deinit { close() }
}
