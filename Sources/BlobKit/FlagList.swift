/// The flags a blob may carry, and the JSON list they are stored and sent as.
public enum FlagList {
    public static let known: Set<String> = ["PENDING", "PROCESSING", "PROCESSED", "FAILED"]

    /// A JSON list of strings, or `badFlags`.
    public static func parse(_ bytes: [UInt8]) throws(StoreError) -> [String] {
        guard let value = try? MiniJSON.parse(bytes), case .array(let items) = value else { throw .badFlags }
        var strings: [String] = []
        for item in items {
            guard case .string(let text) = item else { throw .badFlags }
            strings.append(text)
        }
        return strings
    }

    public static func encode(_ flags: [String]) -> [UInt8] {
        JSONText.stringList(flags)
    }
}
