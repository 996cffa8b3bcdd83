/// The bytes of the run's blobs: random once per run (no per-blob cost on
/// the loop), each blob made distinct by its id written over its first bytes,
/// so a GET that returns another blob's bytes fails verification.
public struct BlobPayload: Sendable {
    private let random: [UInt8]

    /// `size` random bytes.
    public init(size: Int) {
        var generator = SystemRandomNumberGenerator()
        random = (0..<size).map { _ in UInt8.random(in: 0...255, using: &generator) }
    }

    public var size: Int { random.count }

    /// The bytes of blob `id`: the id, then the random bytes, cut to `size`.
    public func bytes(for id: String) -> [UInt8] {
        var bytes = random
        for (index, byte) in id.utf8.enumerated() where index < bytes.count { bytes[index] = byte }
        return bytes
    }
}
