#if canImport(Glibc)
import Glibc
#endif

/// 127.0.0.1:`port` as the socket calls take it, for tests that connect
/// or bind by hand.
public func loopbackAddress(port: Int) -> sockaddr_in {
    var address = sockaddr_in()
    address.sin_family = sa_family_t(AF_INET)
    address.sin_port = in_port_t(UInt16(port).bigEndian)
    address.sin_addr.s_addr = inet_addr("127.0.0.1")
    return address
}
