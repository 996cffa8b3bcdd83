/// One kind of request, reported on its own line.
public enum RequestKind: String, CaseIterable, Sendable {
    case baseline = "GET /"
    case list = "GET list"
    case put = "PUT blob"
    case get = "GET blob"
    case flag = "POST flags"
    case delete = "DELETE blob"

    /// The one status API.md promises for success.
    public var expectedStatus: Int { 200 }
}
