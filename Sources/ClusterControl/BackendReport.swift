import EventCore

/// A balancer's answer to `report`: each backend in its pool and its state
/// there, as one line `backends HOST:PORT=STATE ...` (STATE up, down or
/// draining; `backends` alone for an empty pool). What `blob-cluster status`
/// shows as each balancer's own view.
public struct BackendReport: Equatable, Sendable {
    public struct Entry: Equatable, Sendable {
        public let address: SocketAddress
        public let state: String

        public init(address: SocketAddress, state: String) {
            self.address = address
            self.state = state
        }
    }

    public let entries: [Entry]

    public init(entries: [Entry]) {
        self.entries = entries
    }

    /// The states a balancer reports; anything else is not a report.
    public static let states: Set<String> = ["up", "down", "draining"]

    public init?(line: Substring) {
        let words = line.split(separator: " ", omittingEmptySubsequences: true)
        guard words.first == "backends" else { return nil }
        var entries: [Entry] = []
        for word in words.dropFirst() {
            let parts = word.split(separator: "=", omittingEmptySubsequences: false)
            guard parts.count == 2, let address = SocketAddress(String(parts[0])), Self.states.contains(String(parts[1])) else { return nil }
            entries.append(Entry(address: address, state: String(parts[1])))
        }
        self.entries = entries
    }

    /// The line `init(line:)` reads back, without its newline.
    public var line: String {
        (["backends"] + entries.map { "\($0.address)=\($0.state)" }).joined(separator: " ")
    }
}
