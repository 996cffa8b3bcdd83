import ArgumentParser

/// A duration as operators write it (`10s`, `500ms`, `1m`, `2h`; a bare
/// number is seconds), parsed once by the command line. Bounded to a year
/// so that every consumer may turn it into whole milliseconds or seconds
/// without overflow; `text` is kept to pass it on verbatim.
public struct TimeSpan: VerbatimArgument, Sendable, Equatable {
    /// The longest duration any flag accepts: 365 days.
    public static let maximumSeconds: Double = 365 * 24 * 3600

    public let seconds: Double
    public let text: String

    public init?(argument: String) {
        let lowered = argument.lowercased().filter { $0 != " " }
        let number = lowered.prefix { ($0.isASCII && $0.isNumber) || $0 == "." }
        guard let value = Double(number), value.isFinite, value >= 0 else { return nil }
        let seconds: Double
        switch lowered.dropFirst(number.count) {
        case "", "s": seconds = value
        case "ms": seconds = value / 1000
        case "m": seconds = value * 60
        case "h": seconds = value * 3600
        default: return nil
        }
        guard seconds <= Self.maximumSeconds else { return nil }
        self.seconds = seconds
        text = argument
    }
}
