import CLibevent
#if canImport(Glibc)
import Glibc
#endif

/// An IPv4 host and port, parsed from text such as `127.0.0.1:8001`.
public struct SocketAddress: Sendable, Hashable, CustomStringConvertible {
    public let host: String
    public let port: Int

    public init(host: String, port: Int) {
        self.host = host
        self.port = port
    }

    /// Parses `HOST:PORT` (`localhost` is taken as 127.0.0.1); nil if malformed.
    public init?(_ text: String) {
        guard let colon = text.lastIndex(of: ":"), let port = Int(text[text.index(after: colon)...]),
              (0...65535).contains(port) else { return nil }
        let host = String(text[..<colon])
        self.init(host: host == "localhost" ? "127.0.0.1" : host, port: port)
        guard sockaddr() != nil else { return nil }
    }

    public var description: String { "\(host):\(port)" }

    /// The C address, or nil when `host` is not a dotted IPv4 address.
    public func sockaddr() -> sockaddr_in? {
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(port).bigEndian)
        let resolved = host == "localhost" ? "127.0.0.1" : host
        guard inet_pton(AF_INET, resolved, &address.sin_addr) == 1 else { return nil }
        return address
    }
}
