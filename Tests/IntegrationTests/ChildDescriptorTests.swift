import ClusterTesting
import Foundation
import XCTest

/// Children inherit nothing they did not ask for: workers spawned while the
/// supervisor's health probes are in flight hold no socket but their own
/// port's, and no pipe of the supervisor's but their lifeline.
final class ChildDescriptorTests: XCTestCase {
    private var store = ""
    private var cluster: TestProcess?
    private var stopped: Int32 = 0

    override func setUp() {
        store = NSTemporaryDirectory() + "fds-\(UUID().uuidString)"
    }

    override func tearDown() {
        if stopped > 0 { kill(stopped, SIGCONT) }
        cluster?.stop(grace: 10)
        try? FileManager.default.removeItem(atPath: store)
    }

    func testWorkersSpawnedDuringProbesHoldOnlyTheirOwnDescriptors() throws {
        let port = Int.random(in: 20_000...32_000)
        // A stopped worker keeps a probe in flight half of the time (100 ms
        // interval, 50 ms timeout, never enough failures to kill it), so
        // each spawn below has even odds to meet an open probe socket.
        let process = try TestProcess("blob-cluster", [
            "--workers", "2", "--store", store, "--port", "\(port)", "--worker-base-port", "\(port + 1)",
            "--liveness-interval", "100ms", "--liveness-failures", "1000",
        ])
        cluster = process
        let ready = try process.waitForLine(containing: "ready", timeout: 20)
        let hung = try XCTUnwrap(Int32(ready.components(separatedBy: ":\(port + 2) (pid ")[1].prefix { $0.isNumber }))
        XCTAssertEqual(kill(hung, SIGSTOP), 0)
        stopped = hung
        for added in 3...8 {
            process.signal(SIGTTIN)
            _ = try process.waitForLine(described: "worker \(added) healthy", timeout: 10) { _ in
                process.output.components(separatedBy: " is healthy").count - 1 >= added + 1  // + the balancer
            }
        }
        usleep(500_000)  // probes keep running meanwhile
        let supervisorPipes = Set(descriptors(of: process.pid).filter { $0.kind == "pipe" }.map(\.inode))
        let workers = Dictionary(uniqueKeysWithValues: SupervisorLog.workerPids(in: process.output).map { ($0.value, $0.key) })
        XCTAssertEqual(workers.count, 8, process.output)
        for (pid, ownPort) in workers where pid != hung {
            XCTAssertEqual(foreignSockets(of: pid, ownPort: ownPort), [], "worker \(pid) holds sockets not on its own port")
            let held = descriptors(of: pid)
            let lifeline = held.first { $0.fd == 0 }
            XCTAssertEqual(lifeline?.kind, "pipe", "stdin is the lifeline")
            let shared = Set(held.filter { $0.kind == "pipe" && $0.fd != 0 }.map(\.inode)).intersection(supervisorPipes)
            XCTAssertEqual(shared, [], "worker \(pid) holds a pipe of the supervisor's beyond its lifeline")
        }
    }

    /// The descriptors of sockets a worker holds that are not on its own
    /// port (its listener and the connections it accepted are). A socket
    /// counts only if open both before and after the snapshot of the TCP
    /// table, as probes come and go meanwhile; one missing from the table
    /// (a connection reset by its peer, not yet closed by the worker) is
    /// looked at again until the worker has closed it.
    private func foreignSockets(of pid: Int32, ownPort: Int) -> [Int] {
        var unlisted: [Int] = []
        for _ in 0..<20 {
            let before = descriptors(of: pid).filter { $0.kind == "socket" }
            let tcp = localPorts()
            let after = Set(descriptors(of: pid).map(\.inode))
            let stable = before.filter { after.contains($0.inode) }
            let wrongPort = stable.filter { tcp[$0.inode].map { $0 != ownPort } ?? false }
            if !wrongPort.isEmpty { return wrongPort.map(\.fd) }
            unlisted = stable.filter { tcp[$0.inode] == nil }.map(\.fd)
            if unlisted.isEmpty { return [] }
            usleep(50_000)
        }
        return unlisted
    }

    private struct Descriptor { let fd: Int; let kind: String; let inode: String }

    private func descriptors(of pid: Int32) -> [Descriptor] {
        let folder = "/proc/\(pid)/fd"
        guard let names = try? FileManager.default.contentsOfDirectory(atPath: folder) else { return [] }
        return names.compactMap { name in
            guard let fd = Int(name), let target = try? FileManager.default.destinationOfSymbolicLink(atPath: "\(folder)/\(name)"),
                  let open = target.firstIndex(of: "["), let close = target.firstIndex(of: "]") else { return nil }
            return Descriptor(fd: fd, kind: String(target[..<open].dropLast()), inode: String(target[target.index(after: open)..<close]))
        }
    }

    /// Socket inode -> local port, from /proc/net/tcp.
    private func localPorts() -> [String: Int] {
        guard let table = try? String(contentsOfFile: "/proc/net/tcp", encoding: .utf8) else { return [:] }
        var ports: [String: Int] = [:]
        for line in table.split(separator: "\n").dropFirst() {
            let fields = line.split(separator: " ")
            guard fields.count > 9, let port = Int(fields[1].split(separator: ":").last ?? "", radix: 16) else { continue }
            ports[String(fields[9])] = port
        }
        return ports
    }
}
