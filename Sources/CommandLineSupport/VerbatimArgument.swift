import ArgumentParser

/// A value parsed from a command-line word that keeps the word itself:
/// shown as typed in help and errors, and passed on verbatim (the
/// supervisor gives its workers the flags it was given). Defaults can be
/// written as literals (`var maxBody: ByteSize = "1GiB"`).
public protocol VerbatimArgument: ExpressibleByArgument, ExpressibleByStringLiteral, CustomStringConvertible {
    /// The word as the operator wrote it.
    var text: String { get }
}

extension VerbatimArgument {
    public var description: String { text }
    public var defaultValueDescription: String { text }

    /// For defaults written in the source; a bad literal is a programming error.
    public init(stringLiteral text: String) {
        guard let value = Self(argument: text) else { preconditionFailure("not a valid \(Self.self): \(text)") }
        self = value
    }
}
