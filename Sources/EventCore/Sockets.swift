import CLibevent
#if canImport(Glibc)
import Glibc
#endif

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

    /// Fails unless `fd` is a listening socket; makes it non-blocking (a
    /// flag of the socket, so of every process sharing it: a process that
    /// loses the race for a connection must get EAGAIN, not block).
    public static func requireListening(_ fd: Int32) throws(SystemError) {
        var listening: Int32 = 0
        var length = socklen_t(MemoryLayout<Int32>.size)
        try syscall("getsockopt(SO_ACCEPTCONN) on descriptor \(fd)") { getsockopt(fd, SOL_SOCKET, SO_ACCEPTCONN, &listening, &length) }
        guard listening != 0 else { throw SystemError(call: "descriptor \(fd) is not a listening socket; listen", errno: EINVAL) }
        let flags = try syscall("fcntl(F_GETFL)") { fcntl(fd, F_GETFL) }
        try syscall("fcntl(F_SETFL)") { fcntl(fd, F_SETFL, flags | O_NONBLOCK) }
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

    /// An IPv4 socket address's host as text (`unknown` for anything else).
    public static func host(of address: UnsafeMutablePointer<sockaddr>?) -> String {
        guard let address, address.pointee.sa_family == sa_family_t(AF_INET) else { return "unknown" }
        return address.withMemoryRebound(to: sockaddr_in.self, capacity: 1) { inet in
            let raw = UInt32(bigEndian: inet.pointee.sin_addr.s_addr)
            // Digit by digit into the String's storage: this runs for every
            // accepted connection, and interpolating four integers cost more
            // than a thousand instructions.
            return String(unsafeUninitializedCapacity: 15) { text in
                var at = 0
                for shift in stride(from: 24, through: 0, by: -8) {
                    let octet = Int(raw >> UInt32(shift) & 255)
                    if shift != 24 { text[at] = UInt8(ascii: "."); at += 1 }
                    if octet >= 100 { text[at] = UInt8(0x30 + octet / 100); at += 1 }
                    if octet >= 10 { text[at] = UInt8(0x30 + octet / 10 % 10); at += 1 }
                    text[at] = UInt8(0x30 + octet % 10)
                    at += 1
                }
                return at
            }
        }
    }
}
