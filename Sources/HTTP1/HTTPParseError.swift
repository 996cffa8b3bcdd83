/// Why a message could not be parsed. Each case maps to the status a server
/// answers with, and a one-line reason; the connection is closed after it.
public enum HTTPParseError: Error, Equatable, Sendable {
    case badRequestLine
    case requestLineTooLong
    case unsupportedVersion
    case badHeaderField
    case obsoleteLineFolding
    case spaceBeforeColon
    case bareCarriageReturn
    case headTooLarge
    case tooManyHeaders
    case missingHost
    case duplicateHost
    case badContentLength
    case duplicateContentLength
    case contentLengthWithTransferEncoding
    case badTransferEncoding
    case unsupportedTransferCoding
    case badChunk
    case chunkSizeOverflow
    case bodyTooLarge
    case unsupportedExpectation
    case badStatusLine
    case truncated

    /// The status a server answers this error with.
    public var status: Int {
        switch self {
        case .requestLineTooLong: return 414
        case .unsupportedVersion: return 505
        case .headTooLarge, .tooManyHeaders: return 431
        case .bodyTooLarge: return 413
        case .unsupportedTransferCoding: return 501
        case .unsupportedExpectation: return 417
        default: return 400
        }
    }

    /// One line saying what was wrong.
    public var reason: String {
        switch self {
        case .badRequestLine: return "malformed request line"
        case .requestLineTooLong: return "request line too long"
        case .unsupportedVersion: return "HTTP version not supported"
        case .badHeaderField: return "malformed header field"
        case .obsoleteLineFolding: return "obsolete line folding is not allowed"
        case .spaceBeforeColon: return "whitespace before a header field's colon"
        case .bareCarriageReturn: return "bare CR or LF in the message head"
        case .headTooLarge: return "request header fields too large"
        case .tooManyHeaders: return "too many header fields"
        case .missingHost: return "HTTP/1.1 request without Host"
        case .duplicateHost: return "more than one Host"
        case .badContentLength: return "malformed Content-Length"
        case .duplicateContentLength: return "more than one Content-Length"
        case .contentLengthWithTransferEncoding: return "both Content-Length and Transfer-Encoding"
        case .badTransferEncoding: return "Transfer-Encoding must end with chunked"
        case .unsupportedTransferCoding: return "transfer coding not implemented"
        case .badChunk: return "malformed chunked body"
        case .chunkSizeOverflow: return "chunk size too large"
        case .bodyTooLarge: return "body too large"
        case .unsupportedExpectation: return "only Expect: 100-continue is supported"
        case .badStatusLine: return "malformed status line"
        case .truncated: return "connection closed before the message ended"
        }
    }
}
