#if canImport(Glibc)
import Glibc
#endif

/// A Unix socket's address: a path, or "@name" for Linux's abstract
/// namespace (systemd's $NOTIFY_SOCKET may be either). Nil if it does not
/// fit sun_path (107 bytes and the terminator).
struct UnixSocketAddress {
    static let maximumLength = 107

    let path: String
    private var bytes: [UInt8]

    init?(_ path: String) {
        var bytes = Array(path.utf8)
        guard !bytes.isEmpty, bytes.count <= Self.maximumLength, !bytes.contains(0) else { return nil }
        if bytes[0] == UInt8(ascii: "@") { bytes[0] = 0 }
        self.path = path
        self.bytes = bytes
    }

    /// Calls `body` with the sockaddr and its length (an abstract name's
    /// length counts exactly its bytes, with no terminator).
    func withSockaddr<Result>(_ body: (UnsafePointer<sockaddr>, socklen_t) -> Result) -> Result {
        var address = sockaddr_un()
        address.sun_family = sa_family_t(AF_UNIX)
        withUnsafeMutableBytes(of: &address.sun_path) { $0.copyBytes(from: bytes) }
        let length = socklen_t(MemoryLayout<sa_family_t>.size + bytes.count + (bytes[0] == 0 ? 0 : 1))
        return withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { body($0, length) }
        }
    }
}
