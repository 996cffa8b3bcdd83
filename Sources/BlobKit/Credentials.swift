import Foundation

/// The tokens file (`user:token` per line) and the check of a request's
/// `Authorization` header against it: Soledad's `Token base64(user:token)`
/// or `Basic` with the same pair.
public struct Credentials: Sendable {
    private let tokens: [String: String]

    public enum Verdict: Equatable {
        case allowed
        /// No or wrong credentials: 401 with `WWW-Authenticate`.
        case unauthenticated
        /// Valid credentials for another user's path: 403.
        case forbidden
    }

    public init(tokens: [String: String]) {
        self.tokens = tokens
    }

    /// Reads the file; blank lines and `#` comments are skipped.
    public init(contentsOf path: String) throws {
        let text = try String(contentsOfFile: path, encoding: .utf8)
        var tokens: [String: String] = [:]
        for (number, raw) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            let line = raw.trimmingCharacters(in: .whitespaces)
            if line.isEmpty || line.hasPrefix("#") { continue }
            guard let colon = line.firstIndex(of: ":"), colon != line.startIndex else {
                throw CredentialsError(path: path, line: number + 1)
            }
            tokens[String(line[..<colon])] = String(line[line.index(after: colon)...])
        }
        self.init(tokens: tokens)
    }

    /// Whether `authorization` lets its holder act on `user`'s blobs.
    public func check(authorization: String?, user: String) -> Verdict {
        guard let authorization, let (name, token) = Self.decode(authorization),
              let expected = tokens[name], Self.constantTimeEquals(expected, token) else { return .unauthenticated }
        return name == user ? .allowed : .forbidden
    }

    static func decode(_ header: String) -> (String, String)? {
        let parts = header.split(separator: " ", maxSplits: 1)
        guard parts.count == 2, ["token", "basic"].contains(parts[0].lowercased()),
              let data = Data(base64Encoded: String(parts[1]).trimmingCharacters(in: .whitespaces)),
              let pair = String(data: data, encoding: .utf8), let colon = pair.firstIndex(of: ":") else { return nil }
        return (String(pair[..<colon]), String(pair[pair.index(after: colon)...]))
    }

    private static func constantTimeEquals(_ a: String, _ b: String) -> Bool {
        let x = Array(a.utf8), y = Array(b.utf8)
        guard x.count == y.count else { return false }
        var difference: UInt8 = 0
        for index in x.indices { difference |= x[index] ^ y[index] }
        return difference == 0
    }
}
