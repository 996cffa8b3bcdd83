/// A malformed line in the tokens file.
public struct CredentialsError: Error, CustomStringConvertible {
    public let path: String
    public let line: Int
    public var description: String { "\(path):\(line): expected 'user:token'" }
}
