import BlobProtocol
#if canImport(Glibc)
import Glibc
#endif

/// The background half of one listing: its walk and what it turns the walk
/// into, one chunk per `step()`: the JSON list (about `chunkBytes` of it
/// per step, gzip-compressed with one z_stream across steps when the
/// listing is streamed to a client that accepts gzip), or `{"count": N}`.
/// Unsorted listings hold nothing but the walk; sorted ones collect the
/// compact (id, time) pairs in their first step (SortedIDs), then stream
/// from them. Touched by one thread at a time: the step running in the
/// background, or the loop once no step is in flight.
final class ListingWork: @unchecked Sendable {
    enum Mode {
        case list(ListOrder)
        case count
    }

    private enum Source {
        case walk(ListingCursor)
        /// Sorted pairs and the index of the next id to send.
        case sorted(SortedIDs, next: Int)
        case finished
    }

    /// One step's bytes; `last`: the body is complete (the walk is closed).
    struct Chunk {
        let bytes: [UInt8]
        let last: Bool
        /// The bytes are gzip (only ever from the first chunk on).
        let compressed: Bool
    }

    static let chunkBytes = 64 * 1024

    private let mode: Mode
    private var source: Source
    private let wantsGzip: Bool
    private var gzip: GzipStream?
    private var steps = 0
    private var firstID = true
    let cancel = CancelFlag()
    /// A gone client's listing ends its step early with this.
    static let cancelled = StoreError.system(call: "listing", errno: ECANCELED, path: "(client gone)")

    init(cursor: ListingCursor, mode: Mode, gzip: Bool) {
        self.mode = mode
        source = .walk(cursor)
        wantsGzip = gzip
    }

    /// Makes the next chunk. A first chunk that is the whole listing is
    /// never compressed here: the caller answers it with Content-Length
    /// and the usual 1024-byte rule.
    func step() throws(StoreError) -> Chunk {
        steps += 1
        if case .count = mode { return try countAll() }
        if case .walk(let cursor) = source, case .list(let order) = mode, order != .none {
            source = .sorted(try collect(cursor, descending: order == .dateDescending), next: 0)
        }
        var raw: [UInt8] = []
        raw.reserveCapacity(Self.chunkBytes + 256)
        if steps == 1 { raw.append(UInt8(ascii: "[")) }
        var last = false
        while raw.count < Self.chunkBytes {
            guard try appendNextID(to: &raw) else {
                raw.append(UInt8(ascii: "]"))
                last = true
                closeWalk()
                break
            }
        }
        if steps == 1 && last { return Chunk(bytes: raw, last: true, compressed: false) }
        if steps == 1 && wantsGzip { gzip = GzipStream() }
        guard let gzip else { return Chunk(bytes: raw, last: last, compressed: false) }
        var compressed: [UInt8] = []
        guard gzip.compress(raw, finish: last, into: &compressed) else {
            throw .system(call: "deflate", errno: ENOMEM, path: "(gzip of a listing)")
        }
        if last { gzip.close() }
        return Chunk(bytes: compressed, last: last, compressed: true)
    }

    /// Appends `"id"` (after `, ` but for the first); false at the end.
    private func appendNextID(to raw: inout [UInt8]) throws(StoreError) -> Bool {
        switch source {
        case .finished:
            return false
        case .walk(let cursor):
            guard let (id, _) = try cursor.next() else { return false }
            append(id, to: &raw)
        case .sorted(let sorted, let next):
            guard next < sorted.count else { return false }
            sorted.withID(at: next) { append($0, to: &raw) }
            source = .sorted(sorted, next: next + 1)
        }
        return true
    }

    /// Ids are valid names (A-Z a-z 0-9 _ -): nothing to escape.
    private func append(_ id: UnsafeBufferPointer<UInt8>, to raw: inout [UInt8]) {
        if !firstID { raw.append(contentsOf: [UInt8(ascii: ","), UInt8(ascii: " ")]) }
        firstID = false
        raw.append(UInt8(ascii: "\""))
        raw.append(contentsOf: id)
        raw.append(UInt8(ascii: "\""))
    }

    private func collect(_ cursor: ListingCursor, descending: Bool) throws(StoreError) -> SortedIDs {
        var sorted = SortedIDs()
        while let (id, modified) = try cursor.next() {
            try sorted.append(id, modified: modified)
            if sorted.count % 4096 == 0, cancel.isCancelled { throw Self.cancelled }
        }
        cursor.close()
        sorted.sort(descending: descending)
        return sorted
    }

    private func countAll() throws(StoreError) -> Chunk {
        guard case .walk(let cursor) = source else { return Chunk(bytes: [], last: true, compressed: false) }
        var total = 0
        while try cursor.next() != nil {
            total += 1
            if total % 4096 == 0, cancel.isCancelled { throw Self.cancelled }
        }
        closeWalk()
        return Chunk(bytes: Array("{\"count\": \(total)}".utf8), last: true, compressed: false)
    }

    private func closeWalk() {
        if case .walk(let cursor) = source { cursor.close() }
        source = .finished
    }

    /// Releases the walk's directories, the sorted pairs and zlib's state.
    func close() {
        closeWalk()
        gzip?.close()
        gzip = nil
    }
}
