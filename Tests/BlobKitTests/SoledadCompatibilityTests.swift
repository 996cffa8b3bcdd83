@testable import BlobKit
import BlobProtocol
import Foundation
import XCTest

/// A store written by Soledad's filesystem backend is served as is, and
/// ours is laid out as Soledad would read it.
final class SoledadCompatibilityTests: StoreTestCase {
    func testStoreWrittenByHandIsReadBack() throws {
        let blobID = "e5b7c1d0-3f6a-4c1e-9a2b-8d7f6e5d4c3b"
        let ciphertext = (0..<40).map { UInt8($0) }
        try writeFile(path(blobID), "")
        XCTAssertTrue(FileManager.default.createFile(atPath: path(blobID), contents: Data(ciphertext)))
        try writeFile(path(blobID) + ".flags", #"["PROCESSING"]"#)
        try writeFile(path("abc", namespace: "payload"), "in another namespace")
        try writeFile(path("gone") + ".deleted", "")
        // What Soledad's json.dumps writes for two flags, with its spacing.
        try writeFile(path("two"), "2")
        try writeFile(path("two") + ".flags", "[\"PENDING\", \"FAILED\"]")

        XCTAssertEqual(try read(blobID), ciphertext)
        XCTAssertEqual(try store.open(user: user, namespace: ns, id: id(blobID)).tag(), Base64URL.encode(ciphertext.suffix(16)))
        XCTAssertEqual(try store.flags(user: user, namespace: ns, id: id(blobID)), ["PROCESSING"])
        XCTAssertEqual(try store.flags(user: user, namespace: ns, id: id("two")), ["PENDING", "FAILED"])
        XCTAssertEqual(Set(try list()), [blobID, "two"])
        XCTAssertEqual(try list(flag: "PROCESSING"), [blobID])
        XCTAssertEqual(try list(deleted: true), ["gone"])
        XCTAssertEqual(try list(name("payload", .namespace)), ["abc"])
        XCTAssertEqual(try store.count(user: user, namespace: ns), 2)
        try store.delete(user: user, namespace: ns, id: id(blobID))
        XCTAssertTrue(FileManager.default.fileExists(atPath: path(blobID) + ".deleted"))
        XCTAssertFalse(FileManager.default.fileExists(atPath: path(blobID) + ".flags"))
    }

    func testOurStoreUsesSoledadsPathsAndFiles() throws {
        try put("0123456789", "blob")
        try store.setFlags(["PENDING"], user: user, namespace: ns, id: id("0123456789"))
        let base = root + "/alice/default/0/012/012345/0123456789"
        XCTAssertEqual(try String(contentsOfFile: base, encoding: .utf8), "blob")
        XCTAssertEqual(try String(contentsOfFile: base + ".flags", encoding: .utf8), #"["PENDING"]"#)
        let mode = try FileManager.default.attributesOfItem(atPath: base)[.posixPermissions] as? Int
        XCTAssertEqual(mode.map { $0 & 0o644 }, 0o644)
        try store.delete(user: user, namespace: ns, id: id("0123456789"))
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: root + "/alice/default/0/012/012345"), ["0123456789.deleted"])
    }
}
