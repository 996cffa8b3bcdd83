import EventCore
#if canImport(Glibc)
import Glibc
#endif

/// The supervisor's Unix socket for `blob-cluster status`: each connection
/// is answered at once with the status text and closed. Nothing is read
/// from a client, so no client can make the supervisor hold a connection,
/// a buffer or a timer. Owns the socket and its file: `close()` removes both.
final class ControlSocket {
    /// Why the socket could not be made: a boot failure, said plainly.
    struct Failure: Error, CustomStringConvertible {
        let description: String
    }

    let path: String
    private let fd: Int32
    private var event: LoopEvent?
    private let answer: () -> String

    init(path: String, base: EventBase, answer: @escaping () -> String) throws(Failure) {
        guard let address = UnixSocketAddress(path), !path.hasPrefix("@") else {
            throw Failure(description: "--control-socket \(path): not a path of at most \(UnixSocketAddress.maximumLength) bytes")
        }
        try Self.clearStaleSocket(at: address)
        // The default sits beside the store, which the workers create later.
        Self.makeParentDirectory(of: path)
        let fd = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_NONBLOCK.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        guard fd >= 0 else { throw Failure(description: "control socket: \(SystemError(call: "socket", errno: errno))") }
        // Owner and group only: the status names pids and ports.
        let previousMask = umask(0o117)
        let bound = address.withSockaddr { bind(fd, $0, $1) }
        umask(previousMask)
        guard bound == 0, listen(fd, 16) == 0 else {
            let error = SystemError(call: "bind(\(path))", errno: errno)
            Glibc.close(fd)
            throw Failure(description: "control socket: \(error)")
        }
        self.path = path
        self.fd = fd
        self.answer = answer
        event = LoopEvent.readable(base: base, fd: fd) { [unowned self] in self.acceptAll() }
    }

    /// A socket file left by a supervisor that died is removed; one that
    /// still answers belongs to a running cluster, and anything else at the
    /// path is not ours to delete.
    private static func clearStaleSocket(at address: UnixSocketAddress) throws(Failure) {
        var info = stat()
        guard lstat(address.path, &info) == 0 else { return }
        guard (info.st_mode & S_IFMT) == S_IFSOCK else {
            throw Failure(description: "--control-socket \(address.path) exists and is not a socket")
        }
        let probe = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        defer { if probe >= 0 { Glibc.close(probe) } }
        if probe >= 0, address.withSockaddr({ connect(probe, $0, $1) }) == 0 {
            throw Failure(description: "--control-socket \(address.path) answers: another blob-cluster runs with it (give each its own --control-socket)")
        }
        unlink(address.path)
    }

    /// mkdir -p of the socket's directory (an existing one is fine).
    private static func makeParentDirectory(of path: String) {
        var prefix = path.hasPrefix("/") ? "/" : ""
        for component in path.split(separator: "/").dropLast() {
            prefix += component
            mkdir(prefix, 0o755)
            prefix += "/"
        }
    }

    /// Answers every connection waiting (a few at most: it is an operator's tool).
    private func acceptAll() {
        for _ in 0..<16 {
            let client = accept(fd, nil, nil)
            guard client >= 0 else { return }
            // Single-threaded, and the launcher closes what a child should
            // not inherit: accept4's atomic flags are not needed.
            _ = fcntl(client, F_SETFD, FD_CLOEXEC)
            _ = fcntl(client, F_SETFL, fcntl(client, F_GETFL) | O_NONBLOCK)
            // A few KiB into an empty socket buffer: one write, never a wait.
            let text = Array(answer().utf8)
            _ = text.withUnsafeBytes { send(client, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
            Glibc.close(client)
        }
    }

    func close() {
        guard let event else { return }
        event.close()
        self.event = nil
        Glibc.close(fd)
        unlink(path)
    }

    deinit {
        assert(event == nil, "ControlSocket not closed")
    }
}
