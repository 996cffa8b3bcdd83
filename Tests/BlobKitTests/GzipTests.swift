@testable import BlobKit
import Foundation
import XCTest

final class GzipTests: XCTestCase {
    func testCompressedOutputIsGzipThatGunzipRestores() throws {
        let text = Array(String(repeating: "[\"blob-id-0001\", ", count: 200).utf8)
        let compressed = try XCTUnwrap(Gzip.compress(text))
        XCTAssertEqual(Array(compressed.prefix(2)), [0x1F, 0x8B], "gzip magic")
        XCTAssertLessThan(compressed.count, text.count / 5)

        let path = NSTemporaryDirectory() + "gzip-\(UUID().uuidString).gz"
        try Data(compressed).write(to: URL(fileURLWithPath: path))
        defer { try? FileManager.default.removeItem(atPath: path) }
        let gunzip = Process()
        gunzip.executableURL = URL(fileURLWithPath: "/bin/gzip")
        gunzip.arguments = ["-dc", path]
        let pipe = Pipe()
        gunzip.standardOutput = pipe
        try gunzip.run()
        let restored = pipe.fileHandleForReading.readDataToEndOfFile()
        gunzip.waitUntilExit()
        XCTAssertEqual(Array(restored), text)
    }

    func testAcceptEncoding() {
        XCTAssertTrue(Gzip.isAccepted(by: "gzip"))
        XCTAssertTrue(Gzip.isAccepted(by: "deflate, gzip;q=0.5"))
        XCTAssertTrue(Gzip.isAccepted(by: "*"))
        XCTAssertFalse(Gzip.isAccepted(by: "gzip;q=0"))
        XCTAssertFalse(Gzip.isAccepted(by: "identity"))
        XCTAssertFalse(Gzip.isAccepted(by: nil))
    }
}
