import ArgumentParser

/// A size as operators write it (`10KiB`, `200MiB`, `1G`: powers of 1024),
/// parsed once by the command line; `text` is kept to pass it on verbatim
/// (the supervisor hands its workers the same flags it was given).
public struct ByteSize: VerbatimArgument, Sendable, Equatable {
    public let bytes: Int
    public let text: String

    /// `N`, `NB`, `NK`/`NKB`/`NKiB`, and the same with M, G and T; nil for
    /// anything else or a value that does not fit in an Int.
    public init?(argument: String) {
        let lowered = argument.lowercased().filter { $0 != " " }
        let digits = lowered.prefix { $0.isASCII && $0.isNumber }
        guard !digits.isEmpty, let value = Int(digits) else { return nil }
        let multiplier: Int
        switch lowered.dropFirst(digits.count) {
        case "", "b": multiplier = 1
        case "k", "kb", "kib": multiplier = 1 << 10
        case "m", "mb", "mib": multiplier = 1 << 20
        case "g", "gb", "gib": multiplier = 1 << 30
        case "t", "tb", "tib": multiplier = 1 << 40
        default: return nil
        }
        let (result, overflow) = value.multipliedReportingOverflow(by: multiplier)
        guard !overflow else { return nil }
        bytes = result
        text = argument
    }
}
