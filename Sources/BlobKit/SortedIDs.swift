#if canImport(Glibc)
import Glibc
#endif

/// The (id, modification time) pairs of a sorted listing, kept compact:
/// every id's bytes back to back in one buffer, and per id one 16-byte
/// record (time in nanoseconds, offset, length), sorted in place. A sorted
/// listing costs about 16 bytes plus the id's length per id (×2 while the
/// arrays grow), where an array of Strings with their times cost ~64.
struct SortedIDs {
    private struct Record {
        let nanoseconds: Int64
        let offset: UInt32
        let length: UInt32
    }

    private var bytes: [UInt8] = []
    private var records: [Record] = []

    var count: Int { records.count }

    /// Adds one id; fails (EOVERFLOW) past 4 GiB of id bytes.
    mutating func append(_ id: UnsafeBufferPointer<UInt8>, modified: timespec) throws(StoreError) {
        guard bytes.count + id.count <= Int(UInt32.max) else {
            throw .system(call: "sorted listing", errno: EOVERFLOW, path: "(over 4 GiB of ids)")
        }
        let nanoseconds = Int64(modified.tv_sec) &* 1_000_000_000 &+ Int64(modified.tv_nsec)
        records.append(Record(nanoseconds: nanoseconds, offset: UInt32(bytes.count), length: UInt32(id.count)))
        bytes.append(contentsOf: id)
    }

    /// Oldest first, or newest first; equal times keep the walk's order.
    mutating func sort(descending: Bool) {
        if descending {
            records.sort { $0.nanoseconds != $1.nanoseconds ? $0.nanoseconds > $1.nanoseconds : $0.offset < $1.offset }
        } else {
            records.sort { $0.nanoseconds != $1.nanoseconds ? $0.nanoseconds < $1.nanoseconds : $0.offset < $1.offset }
        }
    }

    /// Calls `body` with the bytes of the id at `index` in the sorted order.
    func withID<Result>(at index: Int, _ body: (UnsafeBufferPointer<UInt8>) -> Result) -> Result {
        let record = records[index]
        return bytes.withUnsafeBufferPointer { all in
            body(UnsafeBufferPointer(rebasing: all[Int(record.offset)..<Int(record.offset) + Int(record.length)]))
        }
    }

    func id(at index: Int) -> String {
        withID(at: index) { String(decoding: $0, as: UTF8.self) }
    }

    /// Bytes held: what the listing costs while it is sent.
    var footprint: Int { bytes.capacity + records.capacity * MemoryLayout<Record>.stride }
}
