/// The flags a blob may carry, and the JSON list they are stored and sent as.
public enum FlagList {
    public static let known: Set<String> = ["PENDING", "PROCESSING", "PROCESSED", "FAILED"]

    static let notAList = WireFormatError("body must be a JSON list of flags")

    /// A JSON list of strings.
    public static func parse(_ bytes: [UInt8]) throws(WireFormatError) -> [String] {
        guard let value = try? MiniJSON.parse(bytes), case .array(let items) = value else { throw notAList }
        var strings: [String] = []
        for item in items {
            guard case .string(let text) = item else { throw notAList }
            strings.append(text)
        }
        return strings
    }

    public static func encode(_ flags: [String]) -> [UInt8] {
        JSONText.stringList(flags)
    }
}
