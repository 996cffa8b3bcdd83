@testable import BlobProtocol
import XCTest

/// The whitelist of API.md's Names section, byte by byte.
final class BlobNameTests: XCTestCase {
    func testValidNames() throws {
        for good in ["a", "Z", "0", "_", "-", "A-b_9", "--", "default", String(repeating: "x", count: 128)] {
            XCTAssertTrue(BlobName.isValid(good), good)
            XCTAssertEqual(try BlobName(validating: good, kind: .id).value, good)
        }
    }

    func testRefusedNames() {
        let bad = ["", ".", "..", "%2F", "a%2Fb", "a/b", "/", "a b", " a", "a\u{0}b", "\u{0}", "a\tb", "a\nb", "é", "日本",
                   "a.b", ".hidden", "a.flags", "a.deleted", "a+b", "a:b", "a\\b", "a~", String(repeating: "x", count: 129)]
        for text in bad {
            XCTAssertFalse(BlobName.isValid(text), text.debugDescription)
            for kind in [BlobName.Kind.user, .id, .namespace] {
                XCTAssertThrowsError(try BlobName(validating: text, kind: kind)) {
                    XCTAssertEqual(($0 as? WireFormatError)?.reason.hasPrefix("invalid \(kind.rawValue):"), true)
                }
            }
        }
    }

    func testLengthCountsBytesNotCharacters() {
        XCTAssertTrue(BlobName.isValid(String(repeating: "a", count: 128)))
        XCTAssertFalse(BlobName.isValid(String(repeating: "a", count: 129)))
        // 64 two-byte characters are 128 bytes, but not ASCII: refused anyway.
        XCTAssertFalse(BlobName.isValid(String(repeating: "é", count: 64)))
    }

    func testBadNameSaysWhichPartAndWhatIsAllowed() {
        for kind in [BlobName.Kind.namespace, .user, .id] {
            XCTAssertThrowsError(try BlobName(validating: "a/b", kind: kind)) {
                XCTAssertEqual(($0 as? WireFormatError)?.reason, "invalid \(kind.rawValue): use 1 to 128 of A-Z a-z 0-9 _ -")
            }
        }
    }
}
