import HTTP1

/// Who a backend connection reports to while it carries a request.
protocol BackendConnectionDelegate: AnyObject {
    func backend(_ connection: BackendConnection, head: ResponseHead)
    func backend(_ connection: BackendConnection, body: UnsafeRawBufferPointer)
    func backendEnded(_ connection: BackendConnection)
    /// Closed or broken; `beforeAnyByte` when not one byte of an answer came.
    func backendFailed(_ connection: BackendConnection, beforeAnyByte: Bool, error: HTTPParseError?)
    func backendDrained(_ connection: BackendConnection)
}
