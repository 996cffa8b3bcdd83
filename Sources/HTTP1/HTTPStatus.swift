/// Reason phrases and the three-digit code, written without formatting.
public enum HTTPStatus {
    public static func reason(_ status: Int) -> String {
        switch status {
        case 100: return "Continue"
        case 200: return "OK"
        case 201: return "Created"
        case 204: return "No Content"
        case 206: return "Partial Content"
        case 304: return "Not Modified"
        case 400: return "Bad Request"
        case 401: return "Unauthorized"
        case 403: return "Forbidden"
        case 404: return "Not Found"
        case 405: return "Method Not Allowed"
        case 406: return "Not Acceptable"
        case 408: return "Request Timeout"
        case 409: return "Conflict"
        case 411: return "Length Required"
        case 413: return "Content Too Large"
        case 414: return "URI Too Long"
        case 416: return "Range Not Satisfiable"
        case 417: return "Expectation Failed"
        case 431: return "Request Header Fields Too Large"
        case 500: return "Internal Server Error"
        case 501: return "Not Implemented"
        case 502: return "Bad Gateway"
        case 503: return "Service Unavailable"
        case 504: return "Gateway Timeout"
        case 505: return "HTTP Version Not Supported"
        case 507: return "Insufficient Storage"
        default: return "Status \(status)"
        }
    }

    /// Appends a status code in 100...999 as three digits.
    public static func appendCode(_ status: Int, to bytes: inout [UInt8]) {
        bytes.append(atMost: 3) { writeCode(status, to: &$0) }
    }

    static func writeCode(_ status: Int, to writer: inout ByteWriter) {
        let code = min(max(status, 100), 999)
        writer.put(UInt8(0x30 + code / 100))
        writer.put(UInt8(0x30 + code / 10 % 10))
        writer.put(UInt8(0x30 + code % 10))
    }
}
