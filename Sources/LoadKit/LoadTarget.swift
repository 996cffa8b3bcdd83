import EventCore

/// The server under load, from a URL such as `http://127.0.0.1:8000`.
public struct LoadTarget: Sendable, Equatable {
    public let address: SocketAddress
    /// The Host header: as written in the URL.
    public let hostHeader: String

    /// Only `http://HOST[:PORT][/]` with an IPv4 host or localhost.
    public init?(url: String) {
        guard url.hasPrefix("http://") else { return nil }
        var rest = url.dropFirst(7)
        if rest.hasSuffix("/") { rest = rest.dropLast() }
        guard !rest.isEmpty, !rest.contains("/") else { return nil }
        let text = rest.contains(":") ? String(rest) : String(rest) + ":80"
        guard let address = SocketAddress(text) else { return nil }
        self.address = address
        hostHeader = String(rest)
    }
}
