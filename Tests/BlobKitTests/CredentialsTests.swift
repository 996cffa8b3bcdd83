@testable import BlobKit
import Foundation
import XCTest

/// The tokens file and the Authorization check.
final class CredentialsTests: XCTestCase {
    private func header(_ pair: String, scheme: String = "Token") -> String {
        scheme + " " + Data(pair.utf8).base64EncodedString()
    }

    private func parse(_ text: String) throws(CredentialsError) -> Credentials {
        try Credentials(parsing: Array(text.utf8), path: "tokens")
    }

    private func failure(_ text: String) -> CredentialsError? {
        do {
            _ = try parse(text)
            return nil
        } catch {
            return error
        }
    }

    func testSHA256MatchesTheFIPSVectors() {
        let hex = { (bytes: [UInt8]) in bytes.map { String(format: "%02x", $0) }.joined() }
        XCTAssertEqual(hex(SHA256.hash([UInt8]())), "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855")
        XCTAssertEqual(hex(SHA256.hash(Array("abc".utf8))), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
        XCTAssertEqual(hex(SHA256.hash(Array("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq".utf8))),
                       "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1", "two blocks")
        XCTAssertEqual(hex(SHA256.hash([UInt8](repeating: 0x61, count: 1_000_000))),
                       "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0")
    }

    func testCRLFLinesCommentsAndSpacesAreRead() throws {
        let credentials = try parse("# users\r\nalice:s3cret\r\n\r\n  bob:hunter2  \r\n")
        XCTAssertEqual(credentials.check(authorization: header("alice:s3cret"), user: "alice"), .allowed)
        XCTAssertEqual(credentials.check(authorization: header("bob:hunter2", scheme: "Basic"), user: "bob"), .allowed)
        XCTAssertEqual(credentials.check(authorization: header("alice:s3cret\r"), user: "alice"), .unauthenticated)
    }

    func testWrongUnknownAndEmptyAreUnauthenticatedAndOtherUsersForbidden() throws {
        let credentials = try parse("alice:s3cret\n")
        XCTAssertEqual(credentials.check(authorization: header("alice:s3cret"), user: "bob"), .forbidden)
        for pair in ["alice:s3cre", "alice:s3cret!", "alice:", "mallory:s3cret", "mallory:", ":s3cret", "alice"] {
            XCTAssertEqual(credentials.check(authorization: header(pair), user: "alice"), .unauthenticated, pair)
        }
        XCTAssertEqual(credentials.check(authorization: nil, user: "alice"), .unauthenticated)
        XCTAssertEqual(credentials.check(authorization: "Bearer x", user: "alice"), .unauthenticated)
        XCTAssertEqual(Credentials(tokens: ["alice": ""]).check(authorization: header("alice:"), user: "alice"), .unauthenticated)
    }

    func testBadLinesAreRefusedWithTheirNumber() {
        let cases: [(String, Int, String)] = [
            ("alice:s3cret\nbob:\n", 2, "empty token"),
            ("alice:s3cret\r\n# ok\r\njust-a-name\r\n", 3, "expected 'user:token'"),
            (":token\n", 1, "user"),
            ("a/b:token\n", 1, "user"),
            ("alice:one\nalice:two\n", 2, "twice"),
        ]
        for (text, line, words) in cases {
            guard let error = failure(text) else { XCTFail("accepted: \(text.debugDescription)"); continue }
            XCTAssertEqual(error.line, line, text.debugDescription)
            XCTAssertTrue(error.description.contains("line \(line)"), error.description)
            XCTAssertTrue(error.reason.contains(words), error.reason)
            XCTAssertFalse(error.description.contains("\n"))
        }
    }
}
