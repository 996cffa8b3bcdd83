import ArgumentParser
import CommandLineSupport
#if canImport(Glibc)
import Glibc
#endif

/// `blob-cluster status`: asks the running supervisor over its control
/// socket and prints what it answers.
struct StatusCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "blob-cluster status",
        abstract: "Show a running cluster's children (role, pid, port, state, uptime, restarts, last exit) and its balancers' backends.",
        discussion: """
            Connects to the supervisor's control socket: the one --control-socket names, else the default for --store (STORE.control.sock, beside the store directory). Exits 0 with the status, 1 if no supervisor answers there.
            """)

    @Option(help: "The cluster's store directory, as given to blob-cluster (finds the default control socket).")
    var store: String?

    @Option(help: "The supervisor's control socket, if it was started with --control-socket.")
    var controlSocket: String?

    @Option(help: "Longest wait for the answer (e.g. 5s).")
    var timeout: TimeSpan = "5s"

    func validate() throws {
        guard store != nil || controlSocket != nil else { throw ValidationError("give --store or --control-socket") }
        if let store, controlSocket == nil, ControlSocketPath.forStore(store) == nil {
            throw ValidationError("the default control socket for \(store) is longer than \(UnixSocketAddress.maximumLength) bytes; give --control-socket")
        }
        guard timeout.seconds > 0 else { throw ValidationError("--timeout must be more than 0") }
    }

    func run() throws {
        let path = controlSocket ?? ControlSocketPath.forStore(store ?? "") ?? ""
        print(try Self.ask(path, timeout: timeout.seconds), terminator: "")
    }

    /// Printed as "Error: ..." by the argument parser, which then exits 1.
    struct NoAnswer: Error, CustomStringConvertible {
        let path: String
        let reason: String

        var description: String { "no supervisor answers at \(path): \(reason)" }
    }

    /// Connects, reads to the end (the supervisor writes and closes).
    static func ask(_ path: String, timeout: Double) throws(NoAnswer) -> String {
        let failed = { (reason: String) in NoAnswer(path: path, reason: reason) }
        guard let address = UnixSocketAddress(path) else { throw failed("not a socket path") }
        let fd = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        guard fd >= 0 else { throw failed(String(cString: strerror(errno))) }
        defer { close(fd) }
        var limit = timeval(tv_sec: Int(timeout), tv_usec: Int((timeout - Double(Int(timeout))) * 1_000_000))
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &limit, socklen_t(MemoryLayout<timeval>.size))
        guard address.withSockaddr({ connect(fd, $0, $1) }) == 0 else { throw failed(String(cString: strerror(errno))) }
        var text: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 16384)
        while true {
            let count = buffer.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
            if count == 0 { break }
            guard count > 0 else { throw failed(errno == EAGAIN ? "no answer in time" : String(cString: strerror(errno))) }
            text += buffer[0..<count]
            guard text.count <= 4 << 20 else { throw failed("answer too long") }
        }
        guard !text.isEmpty else { throw failed("empty answer") }
        return String(decoding: text, as: UTF8.self)
    }
}

/// Where the control socket lives unless --control-socket says: beside the
/// store directory (in its parent), named after it, so one store's cluster
/// is found from the store's path alone.
enum ControlSocketPath {
    /// Nil if the path would not fit a Unix socket address.
    static func forStore(_ store: String) -> String? {
        var trimmed = Substring(store)
        while trimmed.count > 1, trimmed.hasSuffix("/") { trimmed = trimmed.dropLast() }
        let path = trimmed + ".control.sock"
        return path.utf8.count <= UnixSocketAddress.maximumLength ? String(path) : nil
    }
}
