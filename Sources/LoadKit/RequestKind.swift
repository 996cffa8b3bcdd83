/// One kind of request, reported on its own line.
public enum RequestKind: String, CaseIterable, Sendable {
    case baseline = "GET /"
    case list = "GET list"
    case count = "GET count"
    case put = "PUT blob"
    case get = "GET blob"
    case flag = "POST flags"
    case delete = "DELETE blob"
    /// The DELETE that `--clean-up` adds at the end of an action, so a run
    /// leaves the store as it found it; reported apart from `delete`.
    case cleanup = "DELETE cleanup"

    /// The one status API.md promises for success.
    public var expectedStatus: Int { 200 }
}
