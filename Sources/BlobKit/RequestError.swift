import HTTPServerKit

/// Client mistakes found by the handlers themselves (not by the store).
enum RequestError: Error {
    case unauthenticated
    case forbidden
    case badQuery(String)
    case badBody(String)
    case badHeader(String)

    var response: HTTPResponse {
        switch self {
        case .unauthenticated:
            var response = HTTPResponse.text(401, "missing or wrong credentials")
            response.headers.append(name: "WWW-Authenticate", value: #"Token realm="blobs""#)
            return response
        case .forbidden: return .text(403, "these credentials do not own this user's blobs")
        case .badQuery(let reason), .badBody(let reason), .badHeader(let reason): return .text(400, reason)
        }
    }
}
