/// The client's `Idempotency-Key` (IETF draft-ietf-httpapi-idempotency-key):
/// a retried PUT or DELETE carrying the key that produced the blob's current
/// state gets the original 200 instead of 409 or 404. The draft writes it
/// as a quoted string; a bare token is accepted too. At most 255 visible
/// ASCII characters, so it fits an extended attribute and a log line.
public struct IdempotencyKey: Equatable, Sendable {
    public let value: String

    /// The header field's name, as the balancer adds it when a client sent none.
    public static let headerName = "Idempotency-Key"

    /// Nil for an empty, too long or non-printable key (the handler's 400).
    public init?(header: Substring) {
        var text = header
        if text.count >= 2, text.first == "\"", text.last == "\"" { text = text.dropFirst().dropLast() }
        guard (1...255).contains(text.utf8.count),
              text.utf8.allSatisfy({ $0 > 0x20 && $0 < 0x7F && $0 != UInt8(ascii: "\"") }) else { return nil }
        value = String(text)
    }
}
