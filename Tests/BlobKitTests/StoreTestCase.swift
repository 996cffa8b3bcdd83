@testable import BlobKit
import BlobProtocol
import Foundation
import XCTest

#if canImport(Glibc)
import Glibc
#endif

/// A store on a fresh directory under /tmp, removed after each test, with
/// the helpers the store tests share.
class StoreTestCase: XCTestCase {
    var root = ""
    var store: BlobStore!
    let user = try! BlobName(validating: "alice", kind: .user)
    let ns = try! BlobName(validating: "default", kind: .namespace)

    override func setUpWithError() throws {
        root = "/tmp/blobkit-test-\(getpid())-\(UUID().uuidString)"
        store = try BlobStore(root: root, fsync: false, quota: nil)
    }

    override func tearDown() {
        store = nil
        try? FileManager.default.removeItem(atPath: root)
    }

    func id(_ text: String) -> BlobName { try! BlobName(validating: text, kind: .id) }
    func name(_ text: String, _ kind: BlobName.Kind) -> BlobName { try! BlobName(validating: text, kind: kind) }

    func put(_ blobID: String, _ text: String, namespace: BlobName? = nil, in store: BlobStore? = nil) throws {
        try put(blobID, Array(text.utf8), namespace: namespace, in: store)
    }

    func put(_ blobID: String, _ bytes: [UInt8], namespace: BlobName? = nil, in store: BlobStore? = nil) throws {
        let writer = try (store ?? self.store).beginWrite(user: user, namespace: namespace ?? ns, id: id(blobID))
        try bytes.withUnsafeBytes { try writer.write($0) }
        try writer.commit()
    }

    func read(_ blobID: String, namespace: BlobName? = nil) throws -> [UInt8] {
        try store.open(user: user, namespace: namespace ?? ns, id: id(blobID)).readAll(limit: 1 << 30) ?? []
    }

    func list(_ namespace: BlobName? = nil, flag: String? = nil, order: ListOrder = .none, deleted: Bool = false) throws -> [String] {
        try store.list(user: user, namespace: namespace ?? ns, filterFlag: flag, order: order, deleted: deleted)
    }

    /// The blob's path in Soledad's layout, written out by hand.
    func path(_ blobID: String, user: String = "alice", namespace: String = "default") -> String {
        let c = Array(blobID)
        return "\(root)/\(user)/\(namespace)/\(String(c.prefix(1)))/\(String(c.prefix(3)))/\(String(c.prefix(6)))/\(blobID)"
    }

    /// Every file name in the store whose name starts with a dot.
    func dotFiles() throws -> [String] {
        try FileManager.default.subpathsOfDirectory(atPath: root).filter { ($0 as NSString).lastPathComponent.hasPrefix(".") }
    }

    func setModified(_ path: String, seconds: Int, nanoseconds: Int = 0) {
        var times = [timespec(tv_sec: seconds, tv_nsec: nanoseconds), timespec(tv_sec: seconds, tv_nsec: nanoseconds)]
        XCTAssertEqual(utimensat(AT_FDCWD, path, &times, 0), 0, "utimensat \(path)")
    }

    /// `body` must throw `expected`; what it returns may be noncopyable (an OpenBlob).
    func assertStoreError<T: ~Copyable>(_ expected: StoreError, _ body: @autoclosure () throws -> T,
                                        file: StaticString = #filePath, line: UInt = #line) {
        do {
            _ = try body()
            XCTFail("no error; expected \(expected)", file: file, line: line)
        } catch {
            XCTAssertEqual(error as? StoreError, expected, file: file, line: line)
        }
    }

    func writeFile(_ path: String, _ text: String) throws {
        try FileManager.default.createDirectory(atPath: (path as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
        XCTAssertTrue(FileManager.default.createFile(atPath: path, contents: Data(text.utf8)))
    }
}
