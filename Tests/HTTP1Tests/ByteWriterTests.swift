import XCTest
@testable import HTTP1

/// The writer's numbers, as heads and ETags carry them.
final class ByteWriterTests: XCTestCase {
    private func written(_ bound: Int, _ write: (inout ByteWriter) -> Void) -> String {
        ByteWriter.string(atMost: bound, write)
    }

    func testHexHasNoLeadingZerosAndLowerCaseDigits() {
        let cases: [(UInt64, String)] = [(0, "0"), (9, "9"), (0xf, "f"), (0x10, "10"), (0xabc0, "abc0"),
                                         (UInt64.max, "ffffffffffffffff"), (1 << 63, "8000000000000000")]
        for (value, text) in cases {
            XCTAssertEqual(written(ByteWriter.hexBound) { $0.putHex(value) }, text)
            XCTAssertEqual(written(ByteWriter.hexBound) { $0.putHex(value) }, String(value, radix: 16))
        }
        XCTAssertEqual(written(40) { $0.putHex(0x1f); $0.put(UInt8(ascii: "-")); $0.putHex(0) }, "1f-0")
    }

    func testDecimal() {
        XCTAssertEqual(written(ByteWriter.decimalBound) { $0.putDecimal(0) }, "0")
        XCTAssertEqual(written(ByteWriter.decimalBound) { $0.putDecimal(10240) }, "10240")
        XCTAssertEqual(written(ByteWriter.decimalBound) { $0.putDecimal(Int.max) }, String(Int.max))
    }
}
