import CommandLineSupport
import XCTest

final class ArgumentValueTests: XCTestCase {
    func testSizesInTheFormsOperatorsWrite() {
        XCTAssertEqual(ByteSize(argument: "10")?.bytes, 10)
        XCTAssertEqual(ByteSize(argument: "10KiB")?.bytes, 10 * 1024)
        XCTAssertEqual(ByteSize(argument: "10k")?.bytes, 10 * 1024)
        XCTAssertEqual(ByteSize(argument: "200MiB")?.bytes, 200 << 20)
        XCTAssertEqual(ByteSize(argument: "1G")?.bytes, 1 << 30)
        XCTAssertEqual(ByteSize(argument: "1G")?.text, "1G", "kept verbatim to pass on")
        XCTAssertNil(ByteSize(argument: "ten"))
        XCTAssertNil(ByteSize(argument: "10 parsecs"))
        XCTAssertNil(ByteSize(argument: "-1"))
        XCTAssertNil(ByteSize(argument: ""))
        XCTAssertNil(ByteSize(argument: "99999999999T"), "overflow is refused")
        XCTAssertNil(ByteSize(argument: "99999999999999999999"), "too many digits for an Int")
    }

    func testDurations() {
        XCTAssertEqual(TimeSpan(argument: "2s")?.seconds, 2)
        XCTAssertEqual(TimeSpan(argument: "500ms")?.seconds, 0.5)
        XCTAssertEqual(TimeSpan(argument: "1m")?.seconds, 60)
        XCTAssertEqual(TimeSpan(argument: "2h")?.seconds, 7200)
        XCTAssertEqual(TimeSpan(argument: "1.5")?.seconds, 1.5)
        XCTAssertNil(TimeSpan(argument: "soon"))
        XCTAssertNil(TimeSpan(argument: "2 fortnights"))
        XCTAssertNil(TimeSpan(argument: "-1s"))
        XCTAssertNil(TimeSpan(argument: "."))
    }

    func testDurationsThatWouldOverflowAnIntAreRefused() {
        XCTAssertNil(TimeSpan(argument: "100000000000000000000s"))
        XCTAssertNil(TimeSpan(argument: "1e400"))
        XCTAssertNil(TimeSpan(argument: "366d"))
        XCTAssertEqual(TimeSpan(argument: "8760h")?.seconds, TimeSpan.maximumSeconds, "a year is the longest")
        XCTAssertNil(TimeSpan(argument: "8761h"))
    }
}
