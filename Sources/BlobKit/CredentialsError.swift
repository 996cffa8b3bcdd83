/// A bad line in the tokens file: where, and what is wrong with it.
public struct CredentialsError: Error, CustomStringConvertible {
    public let path: String
    public let line: Int
    public let reason: String
    public var description: String { "\(path): line \(line): \(reason)" }
}
