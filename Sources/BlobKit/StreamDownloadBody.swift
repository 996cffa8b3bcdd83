import BlobProtocol
import HTTPServerKit
import Logging

/// The body of a stream download: for each requested id, in order, its size
/// as (at least) 8 hex digits, its tag, a space, then its bytes. Sizes come
/// from one `stat` per id up front (for Content-Length, and a 404 before
/// anything is sent); each blob is opened only when the connection asks for
/// its piece, and a small one is read and closed at once, so a request holds
/// O(1) descriptors however many ids it names, and however slowly it reads.
final class StreamDownloadBody: ResponseBodyProducer, @unchecked Sendable {
    /// Most ids one download may name (README, blob-server section).
    static let maxIDs = 10_000

    private let store: BlobStore
    private let names: UserNamespace
    private let logger: Logger
    private let blobs: [(id: BlobName, size: Int)]
    private var nextIndex = 0
    let length: Int?

    /// `notFound` if any id names no blob.
    init(store: BlobStore, names: UserNamespace, ids: [BlobName], logger: Logger) throws(StoreError) {
        self.store = store
        self.names = names
        self.logger = logger
        var blobs: [(id: BlobName, size: Int)] = []
        blobs.reserveCapacity(ids.count)
        var length = 0
        for id in ids {
            let size = try store.size(user: names.user, namespace: names.namespace, id: id)
            blobs.append((id, size))
            length += Self.prefixLength(size: size) + size
        }
        self.blobs = blobs
        self.length = length
    }

    func next(resume: @escaping () -> Void) -> ProducedPiece {
        guard nextIndex < blobs.count else { return .end }
        return piece().map { .piece($0) } ?? .failed
    }

    /// The next blob's piece, or nil if it cannot be sent as promised.
    private func piece() -> ResponseBody? {
        let (id, size) = blobs[nextIndex]
        nextIndex += 1
        do {
            let blob = try store.open(user: names.user, namespace: names.namespace, id: id)
            guard blob.size == size else {
                blob.close()
                logger.warning("stream download: blob \(id) changed size while being sent; closing the connection")
                return nil
            }
            if let content = try blob.readAll(limit: BlobService.inlineLimit) {
                blob.close()
                guard content.count == size else { return nil }
                var piece = prefix(size: size, tag: Base64URL.encode(content.suffix(16)))
                piece.append(contentsOf: content)
                return .bytes(piece)
            }
            let head = prefix(size: size, tag: try blob.tag())
            return .parts([.bytes(head), .file(descriptor: blob.takeDescriptor(), offset: 0, length: size)])
        } catch {
            logger.warning("stream download: blob \(id) unreadable while being sent (\(error.logDescription)); closing the connection")
            return nil
        }
    }

    func discard() {
        nextIndex = blobs.count
    }

    private func prefix(size: Int, tag: String) -> [UInt8] {
        var bytes = Array(Self.hex8(size).utf8)
        bytes.append(contentsOf: tag.utf8)
        bytes.append(UInt8(ascii: " "))
        return bytes
    }

    /// Size digits, tag and space: the tag is the base64 of the last
    /// min(16, size) bytes, so its length follows from the size alone.
    static func prefixLength(size: Int) -> Int {
        hex8(size).utf8.count + (min(16, size) + 2) / 3 * 4 + 1
    }

    static func hex8(_ value: Int) -> String {
        let digits = String(value, radix: 16)
        return String(repeating: "0", count: max(0, 8 - digits.count)) + digits
    }
}
