/// Bounds the parser enforces so that no peer can make us buffer without end.
public struct HTTPLimits: Sendable {
    /// Longest request line (method, target, version); longer is `414`.
    public var maxRequestLine: Int
    /// Most bytes in a whole head (request line and fields); more is `431`.
    public var maxHeadBytes: Int
    /// Most header fields in a head; more is `431`.
    public var maxHeaderCount: Int
    /// Largest body accepted; more is `413`. `Int.max` for no limit.
    public var maxBodyBytes: Int
    /// Longest chunk-size line, extensions included.
    public var maxChunkLine: Int

    public init(
        maxRequestLine: Int = 8 * 1024,
        maxHeadBytes: Int = 32 * 1024,
        maxHeaderCount: Int = 100,
        maxBodyBytes: Int = Int.max,
        maxChunkLine: Int = 4 * 1024
    ) {
        self.maxRequestLine = maxRequestLine
        self.maxHeadBytes = maxHeadBytes
        self.maxHeaderCount = maxHeaderCount
        self.maxBodyBytes = maxBodyBytes
        self.maxChunkLine = maxChunkLine
    }

    public static let `default` = HTTPLimits()
}
