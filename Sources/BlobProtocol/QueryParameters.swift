/// The query string's parameters, decoded; the first of a repeated name wins.
public struct QueryParameters: Sendable {
    private var values: [String: String] = [:]

    public init(_ query: Substring?) {
        guard let query else { return }
        for pair in query.split(separator: "&") {
            let parts = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            guard let name = PercentDecoding.decode(parts[0], plusIsSpace: true) else { continue }
            let value = parts.count > 1 ? PercentDecoding.decode(parts[1], plusIsSpace: true) ?? "\u{0}" : ""
            if values[name] == nil { values[name] = value }
        }
    }

    /// Most requests have no query: no key is hashed then.
    public subscript(name: String) -> String? { values.isEmpty ? nil : values[name] }

    /// API.md's flags: true when present with any value but `0`, `false`, `False` or empty.
    public func flag(_ name: String) -> Bool {
        guard let value = self[name] else { return false }
        return !["", "0", "false", "False"].contains(value)
    }
}
