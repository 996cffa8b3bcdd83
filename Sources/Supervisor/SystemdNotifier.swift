#if canImport(Glibc)
import Glibc
#endif

/// systemd's readiness protocol (sd_notify(3)) without libsystemd: one
/// datagram to the socket named by `$NOTIFY_SOCKET` for each state change,
/// so a `Type=notify` unit is "active" only once the cluster serves, and
/// "deactivating" as soon as it stops. Without the variable (not under
/// systemd) it does nothing.
struct SystemdNotifier {
    private let path: String?

    init(environment value: String? = getenv("NOTIFY_SOCKET").map { String(cString: $0) }) {
        // A path, or "@name" for the abstract namespace; anything else (a
        // vsock address, an overlong path) is not ours to guess at.
        guard let value, value.hasPrefix("/") || value.hasPrefix("@"), value.utf8.count < 108 else {
            path = nil
            return
        }
        path = value
    }

    var isActive: Bool { path != nil }

    /// Sends `lines` ("READY=1", "STATUS=..."), newline-separated. A lost
    /// datagram is not worth failing for: systemd's timeout tells the operator.
    func notify(_ lines: [String]) {
        guard let path else { return }
        let fd = socket(AF_UNIX, Int32(SOCK_DGRAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        guard fd >= 0 else { return }
        defer { close(fd) }
        var address = sockaddr_un()
        address.sun_family = sa_family_t(AF_UNIX)
        var name = Array(path.utf8)
        if name.first == UInt8(ascii: "@") { name[0] = 0 }
        withUnsafeMutableBytes(of: &address.sun_path) { raw in
            raw.copyBytes(from: name)
        }
        let length = socklen_t(MemoryLayout<sa_family_t>.size + name.count)
        let message = Array(lines.joined(separator: "\n").utf8)
        _ = withUnsafePointer(to: &address) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { socketAddress in
                message.withUnsafeBytes { sendto(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL), socketAddress, length) }
            }
        }
    }
}
