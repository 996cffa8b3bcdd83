/// HTTP/1.0 or HTTP/1.1: the versions this codec speaks.
public enum HTTPVersion: Sendable, Equatable {
    case http10, http11

    public var text: String { self == .http10 ? "HTTP/1.0" : "HTTP/1.1" }
}
