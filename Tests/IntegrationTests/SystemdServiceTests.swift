import ClusterTesting
import Foundation
import XCTest

/// `Type=notify`: blob-cluster tells systemd (the socket in $NOTIFY_SOCKET)
/// READY=1 once it serves, and STOPPING=1 when it begins to stop.
/// A datagram socket as systemd makes for $NOTIFY_SOCKET: a path, or
/// "@name" (abstract). Owns the descriptor.
final class NotifySocket {
    private let fd: Int32

    init(at name: String) throws {
        fd = socket(AF_UNIX, Int32(SOCK_DGRAM.rawValue), 0)
        var address = sockaddr_un()
        address.sun_family = sa_family_t(AF_UNIX)
        var bytes = Array(name.utf8)
        if bytes.first == UInt8(ascii: "@") { bytes[0] = 0 }
        withUnsafeMutableBytes(of: &address.sun_path) { $0.copyBytes(from: bytes) }
        let length = socklen_t(MemoryLayout<sa_family_t>.size + bytes.count)
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, length) }
        }
        guard bound == 0 else {
            close(fd)
            throw POSIXError(.EADDRINUSE)
        }
        var timeout = timeval(tv_sec: 20, tv_usec: 0)
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
    }

    deinit { close(fd) }

    /// The next datagram's lines; empty after 20 s of silence.
    func nextMessage() -> [String] {
        var buffer = [UInt8](repeating: 0, count: 4096)
        let count = buffer.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
        guard count > 0 else { return [] }
        return String(decoding: buffer[0..<count], as: UTF8.self).split(separator: "\n").map(String.init)
    }
}

/// `Type=notify`: blob-cluster tells systemd (the socket in $NOTIFY_SOCKET)
/// READY=1 once it serves, and STOPPING=1 when it begins to stop.
final class SystemdNotifyTests: XCTestCase {
    private var directory = ""
    private var processes: [TestProcess] = []

    override func setUp() {
        directory = NSTemporaryDirectory() + "notify-\(UUID().uuidString.prefix(8))"
        try? FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
    }

    override func tearDown() {
        processes.forEach { $0.stop(grace: 10) }
        try? FileManager.default.removeItem(atPath: directory)
    }

    func testReadyOnceServingAndStoppingOnTerm() throws {
        for name in [directory + "/notify.sock", "@blob-cluster-test-\(UUID().uuidString.prefix(8))"] {
            let systemd = try NotifySocket(at: name)
            let port = Int.random(in: 20_000...30_000)
            let cluster = try TestProcess("blob-cluster", [
                "--workers", "2", "--store", directory + "/store", "--port", "\(port)", "--worker-base-port", "\(port + 1)",
            ], environment: ["NOTIFY_SOCKET": name])
            processes.append(cluster)
            let ready = systemd.nextMessage()
            XCTAssertTrue(ready.contains("READY=1"), "\(name): \(ready)")
            XCTAssertTrue(ready.contains("MAINPID=\(cluster.pid)"), "\(ready)")
            XCTAssertTrue(ready.contains { $0.hasPrefix("STATUS=serving on 127.0.0.1:\(port) with 2 workers") }, "\(ready)")
            // READY=1 means it serves: the front answers at once.
            XCTAssertEqual(try TestHTTP.request(port: port, method: "GET", path: "/").status, 200)
            XCTAssertTrue(cluster.output.contains("blob-cluster ready"), "the ready line came first")

            cluster.signal(SIGTERM)
            XCTAssertTrue(systemd.nextMessage().contains("STOPPING=1"))
            XCTAssertEqual(cluster.waitForExit(timeout: 20), 0)
        }
    }
}

/// contrib/blob-cluster.service as systemd would read and run it: it
/// verifies cleanly, and its ExecStart line (with this test's paths and
/// ports) starts a cluster that says READY=1, reloads on HUP and stops on TERM.
final class ServiceUnitTests: XCTestCase {
    private var directory = ""
    private let unit = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .appendingPathComponent("../../contrib/blob-cluster.service").standardized.path

    /// The unit's `Key=value` lines, continuation lines joined.
    private func settings() throws -> [(key: String, value: String)] {
        let text = try String(contentsOfFile: unit, encoding: .utf8).replacingOccurrences(of: "\\\n", with: " ")
        return text.split(separator: "\n").filter { !$0.hasPrefix("#") && $0.contains("=") }.map { line in
            let parts = line.split(separator: "=", maxSplits: 1)
            return (String(parts[0]), String(parts[1]))
        }
    }

    override func setUp() {
        directory = NSTemporaryDirectory() + "unit-\(UUID().uuidString.prefix(8))"
        try? FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
    }

    override func tearDown() {
        try? FileManager.default.removeItem(atPath: directory)
    }

    func testTheUnitVerifiesWithSystemd() throws {
        let binaries = TestProcess.binDirectory.path
        let copy = NSTemporaryDirectory() + "blob-cluster-\(UUID().uuidString.prefix(8)).service"
        defer { try? FileManager.default.removeItem(atPath: copy) }
        let text = try String(contentsOfFile: unit, encoding: .utf8).replacingOccurrences(of: "/usr/local/bin/", with: binaries + "/")
        try text.write(toFile: copy, atomically: true, encoding: .utf8)
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/systemd-analyze")
        process.arguments = ["verify", copy]
        let output = Pipe()
        process.standardOutput = output
        process.standardError = output
        try process.run()
        let said = String(decoding: output.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        XCTAssertEqual(process.terminationStatus, 0, said)
        XCTAssertEqual(said, "", "no warning about any line of the unit")
    }

    func testItsCommandLineServesReloadsAndStops() throws {
        let all = try settings()
        let values = Dictionary(all.map { ($0.key, $0.value) }, uniquingKeysWith: { $1 })
        XCTAssertEqual(values["Type"], "notify")
        XCTAssertEqual(values["ExecReload"], "/bin/kill -HUP $MAINPID")
        XCTAssertEqual(values["RestartPreventExitStatus"], "3", "a cluster that cannot start is not restarted in a loop")
        var arguments = try XCTUnwrap(values["ExecStart"]).split(separator: " ").map(String.init)
        XCTAssertEqual(arguments.removeFirst(), "/usr/local/bin/blob-cluster")
        // This test's own store, socket and ports instead of the unit's.
        let port = Int.random(in: 20_000...30_000)
        let replacements = ["--store": directory + "/store", "--control-socket": directory + "/control.sock",
                            "--metrics-port": "\(port + 30)"]
        for (flag, value) in replacements {
            let index = try XCTUnwrap(arguments.firstIndex(of: flag), "the unit sets \(flag)")
            arguments[index + 1] = value
        }
        arguments += ["--port", "\(port)", "--worker-base-port", "\(port + 1)"]
        let socket = directory + "/notify.sock"
        let systemd = try NotifySocket(at: socket)
        let cluster = try TestProcess("blob-cluster", arguments, environment: ["NOTIFY_SOCKET": socket])
        addTeardownBlock { cluster.stop(grace: 10) }
        XCTAssertTrue(systemd.nextMessage().contains("READY=1"), cluster.output)
        XCTAssertEqual(try TestHTTP.request(port: port, method: "GET", path: "/").status, 200)
        let status = try TestProcess("blob-cluster", ["status", "--control-socket", directory + "/control.sock"])
        XCTAssertEqual(status.waitForExit(timeout: 10), 0, status.output)

        cluster.signal(SIGHUP)  // systemctl reload
        _ = try cluster.waitForLine(containing: "restarting 2 workers one at a time", timeout: 10)
        cluster.signal(SIGTERM)  // systemctl stop
        XCTAssertTrue(systemd.nextMessage().contains("STOPPING=1"))
        let stopLimit = try XCTUnwrap(Double(values["TimeoutStopSec"] ?? ""))
        XCTAssertEqual(cluster.waitForExit(timeout: stopLimit), 0, "stopped within TimeoutStopSec")
    }
}
