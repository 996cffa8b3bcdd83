import BlobProtocol
import FoundationEssentials
import HTTP1

/// The tokens file (`user:token` per line) and the check of a request's
/// `Authorization` header against it: Soledad's `Token base64(user:token)`
/// or `Basic` with the same pair. Tokens are kept as SHA-256 digests and
/// compared in constant time; a user not in the file is checked against a
/// digest no token has, the same steps as a known user, so neither the
/// answer's timing nor its status says whether a user exists or how long
/// a token is.
public struct Credentials: Sendable {
    private let digests: [String: [UInt8]]
    /// Compared against when the user is unknown, so that path does the
    /// same work as a known user's (its verdict is 401 whatever matches).
    private static let unknownUserDigest = SHA256.hash([UInt8](repeating: 0, count: 33))

    public enum Verdict: Equatable {
        case allowed
        /// No or wrong credentials: 401 with `WWW-Authenticate`.
        case unauthenticated
        /// Valid credentials for another user's path: 403.
        case forbidden
    }

    public init(tokens: [String: String]) {
        digests = tokens.mapValues { SHA256.hash(Array($0.utf8)) }
    }

    /// Reads the file: LF or CRLF lines, blank lines and `#` comments
    /// skipped. Any other line must be `user:token`, the user a valid name
    /// and the token not empty, each user once; else `CredentialsError`
    /// naming the line.
    public init(contentsOf path: String) throws {
        let bytes = Array(try Data(contentsOf: URL(filePath: path)))
        try self.init(parsing: bytes, path: path)
    }

    init(parsing bytes: [UInt8], path: String) throws(CredentialsError) {
        var tokens: [String: String] = [:]
        for (index, raw) in bytes.split(separator: UInt8(ascii: "\n"), omittingEmptySubsequences: false).enumerated() {
            let line = Self.trimmed(raw)
            if line.isEmpty || line.first == UInt8(ascii: "#") { continue }
            let problem = { (reason: String) in CredentialsError(path: path, line: index + 1, reason: reason) }
            guard let colon = line.firstIndex(of: UInt8(ascii: ":")) else { throw problem("expected 'user:token'") }
            guard let user = String(validating: line[..<colon], as: UTF8.self), BlobName.isValid(user) else {
                throw problem("the user must be 1 to 128 of A-Z a-z 0-9 _ -")
            }
            let token = line[(colon + 1)...]
            guard !token.isEmpty else { throw problem("empty token for '\(user)'") }
            guard let text = String(validating: token, as: UTF8.self) else { throw problem("the token is not UTF-8") }
            guard tokens[user] == nil else { throw problem("'\(user)' appears twice") }
            tokens[user] = text
        }
        self.init(tokens: tokens)
    }

    /// Whether `authorization` lets its holder act on `user`'s blobs.
    public func check(authorization: String?, user: String) -> Verdict {
        guard let authorization, let (name, token) = Self.decode(authorization) else { return .unauthenticated }
        let expected = digests[name]
        let matches = Self.constantTimeEquals(expected ?? Self.unknownUserDigest, SHA256.hash(Array(token.utf8)))
        guard expected != nil, matches, !token.isEmpty else { return .unauthenticated }
        return name == user ? .allowed : .forbidden
    }

    static func decode(_ header: String) -> (String, String)? {
        let parts = header.split(separator: " ", maxSplits: 1)
        guard parts.count == 2, ["token", "basic"].contains(parts[0].lowercased()),
              let data = Data(base64Encoded: String(parts[1].trimmingHTTPWhitespace())),
              let pair = String(data: data, encoding: .utf8), let colon = pair.firstIndex(of: ":") else { return nil }
        return (String(pair[..<colon]), String(pair[pair.index(after: colon)...]))
    }

    /// Both are 32-byte digests: every byte is looked at.
    private static func constantTimeEquals(_ a: [UInt8], _ b: [UInt8]) -> Bool {
        guard a.count == b.count else { return false }
        var difference: UInt8 = 0
        for index in a.indices { difference |= a[index] ^ b[index] }
        return difference == 0
    }

    private static func trimmed(_ line: ArraySlice<UInt8>) -> ArraySlice<UInt8> {
        let isSpace = { (byte: UInt8) in byte == 0x20 || byte == 0x09 || byte == 0x0D }
        guard let first = line.firstIndex(where: { !isSpace($0) }), let last = line.lastIndex(where: { !isSpace($0) }) else {
            return []
        }
        return line[first...last]
    }
}
