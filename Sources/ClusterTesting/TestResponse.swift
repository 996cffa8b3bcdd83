import HTTP1

/// A parsed answer as a test sees it.
public struct TestResponse {
    public var status: Int
    public var headers: HTTPHeaders
    public var body: [UInt8]
    public var keepAlive: Bool

    public var text: String { String(decoding: body, as: UTF8.self) }
}
