/// A sink that gathers a small body in memory (flags, stream id lists),
/// refusing more than `limit` bytes, then hands it to `complete`.
public final class CollectingSink: RequestBodySink {
    private var bytes: [UInt8] = []
    private let limit: Int
    private let complete: ([UInt8]) -> HTTPResponse

    public init(limit: Int, complete: @escaping ([UInt8]) -> HTTPResponse) {
        self.limit = limit
        self.complete = complete
    }

    public func receive(_ chunk: UnsafeRawBufferPointer) -> HTTPResponse? {
        if bytes.count + chunk.count > limit { return .text(413, "body over \(limit) bytes") }
        bytes.append(contentsOf: chunk)
        return nil
    }

    public func finish() -> HTTPResponse { complete(bytes) }

    public func abort() { bytes = [] }
}
