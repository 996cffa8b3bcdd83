/// How a message's body is delimited (RFC 9112 section 6).
public enum BodyFraming: Equatable, Sendable {
    case none
    case length(Int)
    case chunked
    /// Responses only: the body runs until the connection closes.
    case untilClose
}

/// Framing rules shared by requests and responses: one Content-Length or
/// `Transfer-Encoding: chunked`, never both, never two lengths.
enum FramingRules {
    static func framing(of headers: HTTPHeaders, summary: FieldSummary, isRequest: Bool) -> Result<BodyFraming, HTTPParseError> {
        let lengthCount = summary.contentLength
        let codingCount = summary.transferEncoding
        if lengthCount == 0 && codingCount == 0 { return .success(isRequest ? .none : .untilClose) }
        if lengthCount > 0 && codingCount > 0 { return .failure(.contentLengthWithTransferEncoding) }
        if codingCount > 0 {
            var codings: [Substring] = []
            for value in headers.values("transfer-encoding") {
                for item in value.split(separator: ",", omittingEmptySubsequences: false) {
                    codings.append(item.trimmingHTTPWhitespace())
                }
            }
            guard let last = codings.last, last.lowercased() == "chunked" else {
                return isRequest ? .failure(.badTransferEncoding) : .success(.untilClose)
            }
            if codings.count > 1 {
                // chunked twice, or an empty item, is malformed; any other coding before it is one we lack.
                for coding in codings.dropLast() {
                    if coding.isEmpty || coding.lowercased() == "chunked" { return .failure(.badTransferEncoding) }
                }
                return .failure(.unsupportedTransferCoding)
            }
            return .success(.chunked)
        }
        if lengthCount > 1 { return .failure(.duplicateContentLength) }
        // The value's bytes in place, found by the scan: no lookup, no String.
        return headers.withValue(at: summary.firstContentLength) { value in
            guard let length = parseLength(value) else {
                return .failure(value.contains(UInt8(ascii: ",")) ? .duplicateContentLength : .badContentLength)
            }
            return .success(length == 0 ? .none : .length(length))
        }
    }

    /// 1 to 18 decimal digits, nothing else: no sign, no spaces, no list.
    static func parseLength(_ value: UnsafeRawBufferPointer) -> Int? {
        guard !value.isEmpty, value.count <= 18 else { return nil }
        var result = 0
        for byte in value {
            guard byte >= 0x30 && byte <= 0x39 else { return nil }
            result = result * 10 + Int(byte - 0x30)
        }
        return result
    }
}
