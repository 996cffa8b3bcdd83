/// Parsers for the sizes and durations that every command line takes, in
/// the forms operators write: `10KiB`, `200MiB`, `1G`; `2s`, `500ms`, `1m`.
public enum CommandLineValues {
    /// Bytes from `N`, `NB`, `NK`/`NKB`/`NKiB`, `NM...`, `NG...` (powers of 1024).
    public static func bytes(_ text: String) -> Int? {
        let lowered = text.lowercased().trimming(" ")
        let digits = lowered.prefix { $0.isNumber }
        guard let value = Int(digits), !digits.isEmpty else { return nil }
        let unit = lowered.dropFirst(digits.count)
        let multiplier: Int
        switch unit {
        case "", "b": multiplier = 1
        case "k", "kb", "kib": multiplier = 1 << 10
        case "m", "mb", "mib": multiplier = 1 << 20
        case "g", "gb", "gib": multiplier = 1 << 30
        case "t", "tb", "tib": multiplier = 1 << 40
        default: return nil
        }
        let (result, overflow) = value.multipliedReportingOverflow(by: multiplier)
        return overflow ? nil : result
    }

    /// Seconds from `N` (seconds), `Nms`, `Ns`, `Nm`, `Nh`; fractions allowed.
    public static func seconds(_ text: String) -> Double? {
        let lowered = text.lowercased().trimming(" ")
        let number = lowered.prefix { $0.isNumber || $0 == "." }
        guard let value = Double(number), value >= 0 else { return nil }
        switch lowered.dropFirst(number.count) {
        case "", "s": return value
        case "ms": return value / 1000
        case "m": return value * 60
        case "h": return value * 3600
        default: return nil
        }
    }
}

extension StringProtocol {
    /// The text without `character` repeated at either end (Foundation's
    /// trimmingCharacters(in:) takes a CharacterSet; this is what the
    /// command lines and header values here need).
    public func trimming(_ character: Character) -> String {
        var slice = Substring(self)
        while slice.first == character { slice.removeFirst() }
        while slice.last == character { slice.removeLast() }
        return String(slice)
    }
}
