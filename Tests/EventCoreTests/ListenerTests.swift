import EventCore
import XCTest
#if canImport(Glibc)
import Glibc
#endif

/// The listener when accept fails for lack of descriptors: it backs off
/// (little CPU) instead of spinning on a level-triggered socket, and
/// accepts the waiting clients once descriptors are free again.
final class ListenerTests: XCTestCase {
    private func threadCPUSeconds() -> Double {
        var now = timespec()
        clock_gettime(CLOCK_THREAD_CPUTIME_ID, &now)
        return Double(now.tv_sec) + Double(now.tv_nsec) / 1e9
    }

    private func run(_ base: EventBase, for seconds: Double) {
        let stop = LoopEvent.timer(base: base, repeating: false) { base.stop() }
        stop.add(after: seconds)
        base.run()
        stop.close()
    }

    func testRunningOutOfDescriptorsPausesAcceptingInsteadOfSpinning() throws {
        let base = try EventBase()
        defer { base.close() }
        var accepted: [Int32] = []
        let listener = try Listener(base: base, address: SocketAddress(host: "127.0.0.1", port: 0), backoff: 0.1) { fd, _ in
            accepted.append(fd)
        }
        defer {
            listener.close()
            accepted.forEach { close($0) }
        }
        // The clients' sockets come first: under the lowered limit this
        // process can open nothing, and connect needs no new descriptor.
        let clients = (0..<3).map { _ in socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0) }
        defer { clients.forEach { close($0) } }
        XCTAssertTrue(clients.allSatisfy { $0 >= 0 })
        var saved = rlimit()
        XCTAssertEqual(getrlimit(__rlimit_resource_t(RLIMIT_NOFILE.rawValue), &saved), 0)
        let lowestFree = dup(0)
        close(lowestFree)
        var exhausted = saved
        exhausted.rlim_cur = rlim_t(lowestFree)  // the next descriptor would be over the limit
        XCTAssertEqual(setrlimit(__rlimit_resource_t(RLIMIT_NOFILE.rawValue), &exhausted), 0)
        defer { _ = setrlimit(__rlimit_resource_t(RLIMIT_NOFILE.rawValue), &saved) }

        for client in clients {
            var address = sockaddr_in()
            address.sin_family = sa_family_t(AF_INET)
            address.sin_port = in_port_t(UInt16(listener.port).bigEndian)
            address.sin_addr.s_addr = inet_addr("127.0.0.1")
            let result = withUnsafePointer(to: &address) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(client, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
            }
            XCTAssertEqual(result, 0, "the kernel completes the handshake from its backlog")
        }
        let cpuBefore = threadCPUSeconds()
        run(base, for: 1)
        let cpu = threadCPUSeconds() - cpuBefore
        XCTAssertEqual(accepted, [], "no descriptor to accept into")
        XCTAssertTrue(listener.isBackingOff)
        XCTAssertLessThan(cpu, 0.05, "the loop used \(cpu) s of CPU in 1 s of failing accepts")

        XCTAssertEqual(setrlimit(__rlimit_resource_t(RLIMIT_NOFILE.rawValue), &saved), 0)
        run(base, for: 0.5)
        XCTAssertEqual(accepted.count, clients.count, "accepts resume once descriptors are free")
        XCTAssertFalse(listener.isBackingOff)
    }
}
