import HTTP1

/// One request of an action, as bytes ready to send: built apart from the
/// sockets so the plan of every action (method, path, body, what a GET must
/// return, `Connection: close` or not) is checked by unit tests.
public struct LoadRequest: Sendable, Equatable {
    public let kind: RequestKind
    public let method: HTTPMethod
    public let path: String
    /// The request head, serialised once: request line, Host, Content-Length
    /// when there is a body, `Connection: close` when not kept alive.
    public let head: [UInt8]
    public let body: [UInt8]?
    /// The bytes the answer's body must be (a GET of the blob just PUT).
    public let expectedBody: [UInt8]?

    /// The request `kind` makes for blob `blobID` of `user`; `blob` is the
    /// blob's bytes (PUT body, GET expectation). A `namespace` is sent as
    /// the query; without one the server uses `default`. Names are used as
    /// given: blob-load checks them against the API's whitelist.
    public init(kind: RequestKind, user: String, blobID: String, blob: [UInt8], host: String, close: Bool,
                namespace: String? = nil) {
        self.kind = kind
        var body: [UInt8]? = nil
        var expected: [UInt8]? = nil
        let blobPath = "/blobs/\(user)/\(blobID)" + (namespace.map { "?namespace=\($0)" } ?? "")
        let listPath = "/blobs/\(user)/"
        switch kind {
        case .baseline: (method, path) = (.GET, "/")
        case .list: (method, path) = (.GET, listPath + (namespace.map { "?namespace=\($0)" } ?? ""))
        case .count: (method, path) = (.GET, listPath + "?only_count=1" + (namespace.map { "&namespace=\($0)" } ?? ""))
        case .put: (method, path, body) = (.PUT, blobPath, blob)
        case .get: (method, path, expected) = (.GET, blobPath, blob)
        case .flag: (method, path, body) = (.POST, blobPath, LoadRequest.processingFlag)
        case .delete, .cleanup: (method, path) = (.DELETE, blobPath)
        }
        var bytes: [UInt8] = []
        RequestHead(method: method, target: path, headers: HTTPHeaders([("Host", host)]))
            .serialize(into: &bytes, adding: GeneratedFields(contentLength: body?.count, connection: close ? .close : nil))
        head = bytes
        self.body = body
        expectedBody = expected
    }

    /// The study's flag body: `["PROCESSING"]`.
    public static let processingFlag = Array(#"["PROCESSING"]"#.utf8)
}
