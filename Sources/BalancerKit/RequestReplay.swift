/// What a session sent to the backend for the current request (head, then
/// body bytes), kept while it fits in `limit` so that the request can be
/// retried on another backend. One buffer per connection, reused by every
/// request: a request allocates nothing here.
struct RequestReplay {
    static let limit = 64 * 1024

    private(set) var bytes: [UInt8] = []
    /// False once the request outgrew `limit`: it can no longer be replayed.
    private(set) var isWhole = true

    /// Starts a new request: `writeHead` appends its head.
    mutating func start(_ writeHead: (inout [UInt8]) -> Void) {
        bytes.removeAll(keepingCapacity: true)
        writeHead(&bytes)
        isWhole = bytes.count <= Self.limit
    }

    mutating func record(_ more: UnsafeRawBufferPointer) {
        guard isWhole else { return }
        if bytes.count + more.count > Self.limit { isWhole = false } else { bytes.append(contentsOf: more) }
    }
}
