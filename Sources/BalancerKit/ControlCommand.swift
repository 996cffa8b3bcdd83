import EventCore

/// A line on the balancer's control channel (from the supervisor):
/// `add HOST:PORT`, `drain HOST:PORT`, `remove HOST:PORT`, `stop`.
public enum ControlCommand: Equatable, Sendable {
    case add(SocketAddress)
    case drain(SocketAddress)
    case remove(SocketAddress)
    case stop

    public init?(line: Substring) {
        let words = line.split(separator: " ", omittingEmptySubsequences: true)
        switch (words.first, words.count) {
        case ("stop", 1): self = .stop
        case ("add", 2): guard let address = SocketAddress(String(words[1])) else { return nil }; self = .add(address)
        case ("drain", 2): guard let address = SocketAddress(String(words[1])) else { return nil }; self = .drain(address)
        case ("remove", 2): guard let address = SocketAddress(String(words[1])) else { return nil }; self = .remove(address)
        default: return nil
        }
    }
}
