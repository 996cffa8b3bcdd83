import EventCore

/// A line on the balancer's control channel, written by the supervisor and
/// read by the balancer, defined here once for both sides:
/// `add HOST:PORT`, `drain HOST:PORT`, `remove HOST:PORT`, `stop`, `report`.
public enum ControlCommand: Equatable, Sendable {
    case add(SocketAddress)
    case drain(SocketAddress)
    case remove(SocketAddress)
    case stop
    /// Answer with a `BackendReport` line on the same channel (a socket
    /// under blob-cluster; a balancer whose channel is a pipe cannot answer).
    case report

    /// Parses one line (without its newline); nil if it is not a command.
    public init?(line: Substring) {
        let words = line.split(separator: " ", omittingEmptySubsequences: true)
        if words.count == 1, words[0] == "stop" || words[0] == "report" {
            self = words[0] == "stop" ? .stop : .report
            return
        }
        guard words.count == 2, let address = SocketAddress(String(words[1])) else { return nil }
        switch words[0] {
        case "add": self = .add(address)
        case "drain": self = .drain(address)
        case "remove": self = .remove(address)
        default: return nil
        }
    }

    /// The line that `init(line:)` reads back, without its newline.
    public var line: String {
        switch self {
        case .add(let address): return "add \(address)"
        case .drain(let address): return "drain \(address)"
        case .remove(let address): return "remove \(address)"
        case .stop: return "stop"
        case .report: return "report"
        }
    }
}
