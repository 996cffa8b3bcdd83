#if canImport(Glibc)
import Glibc
#endif

/// systemd's readiness protocol (sd_notify(3)) without libsystemd: one
/// datagram to the socket named by `$NOTIFY_SOCKET` for each state change,
/// so a `Type=notify` unit is "active" only once the cluster serves, and
/// "deactivating" as soon as it stops. Without the variable (not under
/// systemd) it does nothing.
struct SystemdNotifier {
    private let address: UnixSocketAddress?

    init(environment value: String? = getenv("NOTIFY_SOCKET").map { String(cString: $0) }) {
        // A path or an abstract name; anything else (a vsock address) is
        // not ours to guess at.
        guard let value, value.hasPrefix("/") || value.hasPrefix("@") else {
            address = nil
            return
        }
        address = UnixSocketAddress(value)
    }

    /// Sends `lines` ("READY=1", "STATUS=..."), newline-separated. A lost
    /// datagram is not worth failing for: systemd's timeout tells the operator.
    func notify(_ lines: [String]) {
        guard let address else { return }
        let fd = socket(AF_UNIX, Int32(SOCK_DGRAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        guard fd >= 0 else { return }
        defer { close(fd) }
        let message = Array(lines.joined(separator: "\n").utf8)
        _ = address.withSockaddr { socketAddress, length in
            message.withUnsafeBytes { sendto(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL), socketAddress, length) }
        }
    }
}
