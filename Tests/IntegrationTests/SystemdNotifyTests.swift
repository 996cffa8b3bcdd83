import ClusterTesting
import Foundation
import XCTest

/// `Type=notify`: blob-cluster tells systemd (the socket in $NOTIFY_SOCKET)
/// READY=1 once it serves, and STOPPING=1 when it begins to stop.
final class SystemdNotifyTests: XCTestCase {
    private var directory = ""
    private var processes: [TestProcess] = []
    private var socketFD: Int32 = -1

    override func setUp() {
        directory = NSTemporaryDirectory() + "notify-\(UUID().uuidString.prefix(8))"
        try? FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
    }

    override func tearDown() {
        processes.forEach { $0.stop(grace: 10) }
        if socketFD >= 0 { close(socketFD) }
        try? FileManager.default.removeItem(atPath: directory)
    }

    /// A datagram socket as systemd makes: a path, or "@name" (abstract).
    private func listen(at name: String) throws {
        socketFD = socket(AF_UNIX, Int32(SOCK_DGRAM.rawValue), 0)
        var address = sockaddr_un()
        address.sun_family = sa_family_t(AF_UNIX)
        var bytes = Array(name.utf8)
        if bytes.first == UInt8(ascii: "@") { bytes[0] = 0 }
        withUnsafeMutableBytes(of: &address.sun_path) { $0.copyBytes(from: bytes) }
        let length = socklen_t(MemoryLayout<sa_family_t>.size + bytes.count)
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(socketFD, $0, length) }
        }
        XCTAssertEqual(bound, 0, "bind \(name): errno \(errno)")
        var timeout = timeval(tv_sec: 20, tv_usec: 0)
        setsockopt(socketFD, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
    }

    private func nextMessage() -> [String] {
        var buffer = [UInt8](repeating: 0, count: 4096)
        let count = buffer.withUnsafeMutableBytes { recv(socketFD, $0.baseAddress, $0.count, 0) }
        guard count > 0 else { return [] }
        return String(decoding: buffer[0..<count], as: UTF8.self).split(separator: "\n").map(String.init)
    }

    func testReadyOnceServingAndStoppingOnTerm() throws {
        for name in [directory + "/notify.sock", "@blob-cluster-test-\(UUID().uuidString.prefix(8))"] {
            try listen(at: name)
            let port = Int.random(in: 20_000...30_000)
            let cluster = try TestProcess("blob-cluster", [
                "--workers", "2", "--store", directory + "/store", "--port", "\(port)", "--worker-base-port", "\(port + 1)",
            ], environment: ["NOTIFY_SOCKET": name])
            processes.append(cluster)
            let ready = nextMessage()
            XCTAssertTrue(ready.contains("READY=1"), "\(name): \(ready)")
            XCTAssertTrue(ready.contains("MAINPID=\(cluster.pid)"), "\(ready)")
            XCTAssertTrue(ready.contains { $0.hasPrefix("STATUS=serving on 127.0.0.1:\(port) with 2 workers") }, "\(ready)")
            // READY=1 means it serves: the front answers at once.
            XCTAssertEqual(try TestHTTP.request(port: port, method: "GET", path: "/").status, 200)
            XCTAssertTrue(cluster.output.contains("blob-cluster ready"), "the ready line came first")

            cluster.signal(SIGTERM)
            XCTAssertTrue(nextMessage().contains("STOPPING=1"))
            XCTAssertEqual(cluster.waitForExit(timeout: 20), 0)
            close(socketFD)
            socketFD = -1
        }
    }
}
