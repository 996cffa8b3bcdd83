import XCTest
import EventCore
#if canImport(Glibc)
import Glibc
#endif

final class SocketsTests: XCTestCase {
    /// The peer's address as a client's log or X-Forwarded-For shows it.
    func testHostOfAnIPv4PeerIsDottedDecimal() {
        for (address, expected) in [("127.0.0.1", "127.0.0.1"), ("0.0.0.0", "0.0.0.0"), ("10.200.3.45", "10.200.3.45"),
                                    ("255.255.255.255", "255.255.255.255"), ("192.168.100.9", "192.168.100.9")] {
            var inet = sockaddr_in()
            inet.sin_family = sa_family_t(AF_INET)
            XCTAssertEqual(inet_pton(AF_INET, address, &inet.sin_addr), 1)
            let host = withUnsafeMutablePointer(to: &inet) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { Sockets.host(of: $0) }
            }
            XCTAssertEqual(host, expected)
        }
        XCTAssertEqual(Sockets.host(of: nil), "unknown")
    }
}
