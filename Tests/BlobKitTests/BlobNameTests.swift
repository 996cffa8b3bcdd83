@testable import BlobKit
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
                    XCTAssertEqual($0 as? StoreError, .badName(kind: kind))
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

    func testBadNameSaysWhichPart() {
        XCTAssertEqual(StoreError.badName(kind: .namespace).status, 400)
        XCTAssertTrue(StoreError.badName(kind: .namespace).reason.hasPrefix("invalid namespace"))
        XCTAssertTrue(StoreError.badName(kind: .user).reason.hasPrefix("invalid user"))
        XCTAssertTrue(StoreError.badName(kind: .id).reason.hasPrefix("invalid id"))
    }
}
