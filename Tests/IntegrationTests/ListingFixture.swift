import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// A namespace `u/default` of many blobs written straight into a store's
/// layout (no HTTP: thousands of PUTs would dominate the tests), with
/// distinct modification times so sorted listings have one right order,
/// some flagged PENDING and some deleted.
struct ListingFixture {
    let store: String
    /// Live ids, oldest first.
    let byDate: [String]
    let pending: Set<String>
    /// Ids with only a tombstone (no live blob).
    let tombstoned: Set<String>

    var ids: Set<String> { Set(byDate) }

    /// `count` live ids of `idLength` random characters; every 7th is
    /// flagged PENDING, and `count / 10` more ids exist only as tombstones,
    /// plus one tombstone left next to a live blob (which stays live).
    init(count: Int, idLength: Int = 24) throws {
        let shm = access("/dev/shm", W_OK) == 0 ? "/dev/shm/" : NSTemporaryDirectory()
        store = shm + "listing-\(UUID().uuidString)"
        let alphabet = Array("abcdefghijklmnopqrstuvwxyz0123456789_-")
        var generator = SystemRandomNumberGenerator()
        var made = Set<String>()
        while made.count < count + count / 10 {
            made.insert(String((0..<idLength).map { _ in alphabet.randomElement(using: &generator)! }))
        }
        let all = Array(made)
        let live = Array(all[0..<count])
        var pending = Set<String>()
        // Times: a shuffled sequence one millisecond apart, so walk order is not date order.
        let times = (0..<count).shuffled()
        var byTime = [(Int, String)]()
        for (index, id) in live.enumerated() {
            let directory = try Self.directory(store, id)
            try Self.write(directory + "/" + id, "")
            Self.setModified(directory + "/" + id, milliseconds: 1_700_000_000_000 + times[index])
            byTime.append((times[index], id))
            if index % 7 == 0 {
                try Self.write(directory + "/" + id + ".flags", #"["PENDING"]"#)
                pending.insert(id)
            }
        }
        for id in all[count...] { try Self.write(try Self.directory(store, id) + "/" + id + ".deleted", "") }
        try Self.write(try Self.directory(store, live[0]) + "/" + live[0] + ".deleted", "")
        byDate = byTime.sorted { $0.0 < $1.0 }.map(\.1)
        self.pending = pending
        tombstoned = Set(all[count...])
    }

    func remove() { try? FileManager.default.removeItem(atPath: store) }

    private static func directory(_ store: String, _ id: String) throws -> String {
        let chars = Array(id)
        let path = "\(store)/u/default/\(String(chars[0..<1]))/\(String(chars[0..<3]))/\(String(chars[0..<6]))"
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        return path
    }

    private static func write(_ path: String, _ text: String) throws {
        let fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
        guard fd >= 0 else { throw POSIXError(.EIO) }
        defer { close(fd) }
        _ = text.utf8CString.withUnsafeBufferPointer { Glibc.write(fd, $0.baseAddress, $0.count - 1) }
    }

    private static func setModified(_ path: String, milliseconds: Int) {
        var times = [timespec(tv_sec: milliseconds / 1000, tv_nsec: milliseconds % 1000 * 1_000_000),
                     timespec(tv_sec: milliseconds / 1000, tv_nsec: milliseconds % 1000 * 1_000_000)]
        _ = utimensat(AT_FDCWD, path, &times, 0)
    }

    /// The ids of a JSON list body.
    static func decode(_ body: [UInt8]) throws -> [String] {
        try JSONDecoder().decode([String].self, from: Data(body))
    }
}
