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

/// Socket helpers used by the listener and the proxy's outgoing connections.
public enum Sockets {
    /// A non-blocking, close-on-exec TCP socket bound to `address` and
    /// listening; returns the descriptor and the port actually bound.
    public static func listen(on address: SocketAddress, backlog: Int32 = 1024) throws(SystemError) -> (fd: Int32, port: Int) {
        guard var socketAddress = address.sockaddr() else { throw SystemError(call: "inet_pton(\(address.host))", errno: EINVAL) }
        let fd = try syscall("socket") { socket(AF_INET, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_NONBLOCK.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0) }
        do {
            var one: Int32 = 1
            try syscall("setsockopt(SO_REUSEADDR)") { setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, socklen_t(MemoryLayout<Int32>.size)) }
            try syscall("bind(\(address))") {
                withUnsafePointer(to: &socketAddress) {
                    $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
                }
            }
            try syscall("listen") { Glibc.listen(fd, backlog) }
            return (fd, try boundPort(fd))
        } catch {
            Glibc.close(fd)
            throw error
        }
    }

    /// The local port a socket is bound to.
    public static func boundPort(_ fd: Int32) throws(SystemError) -> Int {
        var bound = sockaddr_in()
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        try syscall("getsockname") {
            withUnsafeMutablePointer(to: &bound) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) }
            }
        }
        return Int(UInt16(bigEndian: bound.sin_port))
    }

    /// Turns off Nagle's algorithm: small responses go out at once.
    public static func setNoDelay(_ fd: Int32) {
        var one: Int32 = 1
        _ = setsockopt(fd, Int32(IPPROTO_TCP), TCP_NODELAY, &one, socklen_t(MemoryLayout<Int32>.size))
    }
}
