import EventCore
import XCTest

final class CommandLineValuesTests: XCTestCase {
    func testSizesInTheFormsOperatorsWrite() {
        XCTAssertEqual(CommandLineValues.bytes("10"), 10)
        XCTAssertEqual(CommandLineValues.bytes("10KiB"), 10 * 1024)
        XCTAssertEqual(CommandLineValues.bytes("10k"), 10 * 1024)
        XCTAssertEqual(CommandLineValues.bytes("200MiB"), 200 << 20)
        XCTAssertEqual(CommandLineValues.bytes("1G"), 1 << 30)
        XCTAssertNil(CommandLineValues.bytes("ten"))
        XCTAssertNil(CommandLineValues.bytes("10 parsecs"))
        XCTAssertNil(CommandLineValues.bytes("-1"))
        XCTAssertNil(CommandLineValues.bytes("99999999999T"), "overflow is refused")
    }

    func testDurations() {
        XCTAssertEqual(CommandLineValues.seconds("2s"), 2)
        XCTAssertEqual(CommandLineValues.seconds("500ms"), 0.5)
        XCTAssertEqual(CommandLineValues.seconds("1m"), 60)
        XCTAssertEqual(CommandLineValues.seconds("1.5"), 1.5)
        XCTAssertNil(CommandLineValues.seconds("soon"))
        XCTAssertNil(CommandLineValues.seconds("2 fortnights"))
    }
}
