@testable import BlobKit
import BlobProtocol
import Foundation
import XCTest

#if canImport(Glibc)
import Glibc
#endif

/// Reading: open, tag, etag, descriptor hand-over, flags, health.
final class BlobReadTests: StoreTestCase {
    func testOpenGivesSizeTagAndBytes() throws {
        let long = (0..<100).map { UInt8($0) }
        try put("long", long)
        let blob = try store.open(user: user, namespace: ns, id: id("long"))
        XCTAssertEqual(blob.size, 100)
        XCTAssertEqual(try blob.tag(), Base64URL.encode(long.suffix(16)))
        XCTAssertEqual(try blob.tag(), "VFVWV1hZWltcXV5fYGFiYw==")
        XCTAssertEqual(try blob.tag().count, 24)
        XCTAssertEqual(try blob.readAll(limit: 100), long)
        XCTAssertNil(try blob.readAll(limit: 99))
        blob.close()  // consumes it: a second close, or a read after, does not compile
    }

    func testTagOfShortAndEmptyBlobs() throws {
        try put("short", "abc")
        try put("empty", [])
        try put("sixteen", [UInt8](repeating: 0xFF, count: 16))
        XCTAssertEqual(try store.open(user: user, namespace: ns, id: id("short")).tag(), "YWJj")
        XCTAssertEqual(try store.open(user: user, namespace: ns, id: id("empty")).tag(), "")
        XCTAssertEqual(try store.open(user: user, namespace: ns, id: id("sixteen")).tag(), "_____________________w==")
        XCTAssertEqual(try store.open(user: user, namespace: ns, id: id("empty")).size, 0)
    }

    func testBase64URL() {
        XCTAssertEqual(Base64URL.encode([UInt8]()), "")
        XCTAssertEqual(Base64URL.encode(Array("a".utf8)), "YQ==")
        XCTAssertEqual(Base64URL.encode(Array("ab".utf8)), "YWI=")
        XCTAssertEqual(Base64URL.encode(Array("abc".utf8)), "YWJj")
        XCTAssertEqual(Base64URL.encode([0xFB, 0xFF, 0xBF]), "-_-_", "urlsafe alphabet")
        let sixteen = (0..<16).map { UInt8($0 * 17) }
        XCTAssertEqual(Base64URL.encode(sixteen), Data(sixteen).base64EncodedString()
            .replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_"))
    }

    func testETagChangesWhenTheBlobIsReplaced() throws {
        try put("e", "one")
        let first = try store.open(user: user, namespace: ns, id: id("e")).etag
        XCTAssertEqual(try store.open(user: user, namespace: ns, id: id("e")).etag, first, "stable")
        XCTAssertTrue(first.hasPrefix("\"") && first.hasSuffix("\""))
        // "{inode}-{size}-{sec}.{nsec}" in hex, as the file's stat says.
        let blob = try store.open(user: user, namespace: ns, id: id("e"))
        var info = stat()
        let descriptor = blob.takeDescriptor()
        XCTAssertEqual(fstat(descriptor, &info), 0)
        Glibc.close(descriptor)
        let hex = { (value: Int) in String(UInt64(bitPattern: Int64(value)), radix: 16) }
        XCTAssertEqual(first, "\"\(hex(Int(info.st_ino)))-\(hex(Int(info.st_size)))-\(hex(info.st_mtim.tv_sec)).\(hex(info.st_mtim.tv_nsec))\"")
        try store.delete(user: user, namespace: ns, id: id("e"))
        try put("e", "two")
        XCTAssertNotEqual(try store.open(user: user, namespace: ns, id: id("e")).etag, first)
    }

    func testTakeDescriptorHandsOwnershipAway() throws {
        try put("fd", "sendfile me")
        let blob = try store.open(user: user, namespace: ns, id: id("fd"))
        let descriptor = blob.takeDescriptor()  // the OpenBlob ends here, and must not close what it gave away
        var buffer = [UInt8](repeating: 0, count: 32)
        let count = buffer.withUnsafeMutableBytes { pread(descriptor, $0.baseAddress, $0.count, 0) }
        XCTAssertEqual(Array(buffer[0..<count]), Array("sendfile me".utf8))
        XCTAssertEqual(fcntl(descriptor, F_GETFD) & FD_CLOEXEC, FD_CLOEXEC, "O_CLOEXEC")
        XCTAssertEqual(Glibc.close(descriptor), 0)
    }

    func testMissingBlobIsNotFoundWhateverIsMissing() {
        for (u, n) in [("nobody", "default"), ("alice", "nowhere")] {
            assertStoreError(.notFound, try store.open(user: name(u, .user), namespace: name(n, .namespace), id: id("x")))
            assertStoreError(.notFound, try store.flags(user: name(u, .user), namespace: name(n, .namespace), id: id("x")))
            assertStoreError(.notFound, try store.setFlags([], user: name(u, .user), namespace: name(n, .namespace), id: id("x")))
        }
    }

    func testFlagsReplaceAtomicallyAndValidate() throws {
        try put("f", "x")
        XCTAssertEqual(try store.flags(user: user, namespace: ns, id: id("f")), [])
        try store.setFlags(["PENDING", "PROCESSING"], user: user, namespace: ns, id: id("f"))
        XCTAssertEqual(try String(contentsOfFile: path("f") + ".flags", encoding: .utf8), #"["PENDING", "PROCESSING"]"#)
        try store.setFlags(["FAILED"], user: user, namespace: ns, id: id("f"))
        XCTAssertEqual(try store.flags(user: user, namespace: ns, id: id("f")), ["FAILED"])
        assertStoreError(.unknownFlag("pending"), try store.setFlags(["PROCESSED", "pending"], user: user, namespace: ns, id: id("f")))
        XCTAssertEqual(StoreError.unknownFlag("X").status, 406)
        XCTAssertEqual(try store.flags(user: user, namespace: ns, id: id("f")), ["FAILED"], "unchanged after 406")
        assertStoreError(.unknownFlag("X"), try store.setFlags(["X"], user: user, namespace: ns, id: id("missing")))
        try store.setFlags([], user: user, namespace: ns, id: id("f"))
        XCTAssertEqual(try store.flags(user: user, namespace: ns, id: id("f")), [])
        XCTAssertEqual(try dotFiles(), [], "no temporary flags file left")
    }

    /// A flags file written behind the store's back is the server's
    /// problem, not the client's: 500, not 400.
    func testCorruptFlagsFileIsAServerError() throws {
        try put("c", "x")
        try writeFile(path("c") + ".flags", "PENDING")
        assertStoreError(.corruptFlags, try store.flags(user: user, namespace: ns, id: id("c")))
        XCTAssertEqual(StoreError.corruptFlags.status, 500)
        XCTAssertEqual(try list(flag: "PENDING"), [], "a corrupt flags file matches no filter")
    }

    func testHealthCheck() throws {
        XCTAssertNil(store.healthCheck())
        XCTAssertEqual(try dotFiles(), [], "the probe is removed")
        let gone = try BlobStore(root: root + "/sub", fsync: false, quota: nil)
        try FileManager.default.removeItem(atPath: root + "/sub")
        XCTAssertNotNil(gone.healthCheck())
    }

    func testErrorsMapToStatusesAndOneLineReasons() {
        let cases: [(StoreError, Int)] = [
            (.notFound, 404), (.exists, 409), (.quotaExceeded, 507),
            (.corruptFlags, 500), (.unknownFlag("X"), 406), (.system(call: "write", errno: ENOSPC, path: "/s/x"), 507),
            (.system(call: "open", errno: EACCES, path: "/s/x"), 500), (.system(call: "open", errno: EIO, path: "/s/x"), 500),
            (.system(call: "open(temporary)", errno: ENOTCONN, path: "/s/x"), 503),
        ]
        for (error, status) in cases {
            XCTAssertEqual(error.status, status, "\(error)")
            XCTAssertFalse(error.reason.isEmpty)
            XCTAssertFalse(error.reason.contains("\n"))
            XCTAssertFalse(error.reason.contains("/s/x"), "no path in what a client is told: \(error.reason)")
        }
        XCTAssertTrue(StoreError.system(call: "write", errno: ENOSPC, path: "/s/x").reason.contains("disk full"))
        XCTAssertTrue(StoreError.system(call: "open", errno: EACCES, path: "/s/x").reason.contains("permission denied"))
        XCTAssertTrue(StoreError.system(call: "rename(flags)", errno: EIO, path: "/s/x").reason.contains("rename(flags)"))
        XCTAssertTrue(StoreError.system(call: "open", errno: EIO, path: "/s/x").logDescription.hasSuffix("on /s/x"), "the log has it")
        // A network store's mount without its servers passes by itself: the client is told to retry.
        let unreachable = StoreError.system(call: "open(temporary)", errno: ENOTCONN, path: "/s/x")
        XCTAssertEqual(unreachable.reason, "store unreachable, retry (open(temporary))")
        XCTAssertEqual(unreachable.retryAfter, 1)
        XCTAssertEqual(StoreFailure(unreachable), .unreachable)
        XCTAssertNil(StoreError.system(call: "open", errno: EIO, path: "/s/x").retryAfter)
        XCTAssertEqual(StoreError.ledgerBusy.retryAfter, 1)
    }

    func testStoreSyscallRetriesEINTRAndKeepsCallAndPath() {
        var attempts = 0
        XCTAssertEqual(try StoreError.syscall("fake", path: "/p") { () -> Int32 in
            attempts += 1
            if attempts < 3 { errno = EINTR; return -1 }
            return 7
        }, 7)
        XCTAssertEqual(attempts, 3)
        assertStoreError(.system(call: "fake", errno: EBADF, path: "/p"),
                         try StoreError.syscall("fake", path: "/p") { () -> Int32 in errno = EBADF; return -1 })
    }

    func testETagIsInodeSizeAndModificationTimeInHex() throws {
        try put("hexetag", String(repeating: "z", count: 300))
        var info = stat()
        XCTAssertEqual(stat(path("hexetag"), &info), 0)
        let expected = "\"\(String(info.st_ino, radix: 16))-12c-\(String(info.st_mtim.tv_sec, radix: 16)).\(String(info.st_mtim.tv_nsec, radix: 16))\""
        let blob = try store.open(user: user, namespace: ns, id: id("hexetag"))
        // closed when it goes out of scope (OpenBlob's deinit)
        XCTAssertEqual(blob.etag, expected)
    }
}
