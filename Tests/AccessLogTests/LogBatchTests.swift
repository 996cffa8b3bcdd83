import AccessLog
import XCTest
#if canImport(Glibc)
import Glibc
#endif

/// The batch writes only at its threshold or when told to, whole lines in
/// each write, and drops rather than grows when writes fail.
final class LogBatchTests: XCTestCase {
    private func line(_ index: Int, width: Int = 100) -> [UInt8] {
        let label = Array("line \(index) ".utf8)
        return label + [UInt8](repeating: UInt8(ascii: "x"), count: width - label.count - 1) + [0x0A]
    }

    func testNothingIsWrittenBelowTheThreshold() {
        let writer = FakeLogWriter()
        let batch = LogBatch(writer: writer, flushThreshold: 1000)
        for index in 0..<9 { batch.append { $0 += line(index) } }
        XCTAssertEqual(writer.writes.count, 0, "900 bytes stay in memory")
        XCTAssertEqual(batch.pendingBytes, 900)
    }

    func testPassingTheThresholdWritesOnceWithEveryLineWhole() {
        let writer = FakeLogWriter()
        let batch = LogBatch(writer: writer, flushThreshold: 1000)
        for index in 0..<25 { batch.append { $0 += line(index) } }
        XCTAssertEqual(writer.writes.map(\.count), [1000, 1000], "one write per 1,000 bytes")
        XCTAssertEqual(batch.pendingBytes, 500)
        batch.flush()
        XCTAssertEqual(writer.writes.map(\.count), [1000, 1000, 500])
        XCTAssertEqual(writer.lines.count, 25)
        for (index, text) in writer.lines.enumerated() { XCTAssertTrue(text.hasPrefix("line \(index) "), text) }
        for write in writer.writes { XCTAssertEqual(write.last, 0x0A, "each write ends a line") }
        batch.flush()
        XCTAssertEqual(writer.writes.count, 3, "an empty batch writes nothing")
    }

    func testAFailedWriteDropsTheBatchAndReportsIt() {
        let writer = FakeLogWriter()
        writer.failing = ENOSPC
        let batch = LogBatch(writer: writer, flushThreshold: 1000)
        var failures: [(Int32, Int)] = []
        batch.onFailure = { failures.append(($0, $1)) }
        for index in 0..<10_000 { batch.append { $0 += line(index) } }
        XCTAssertEqual(failures.count, 1000)
        XCTAssertTrue(failures.allSatisfy { $0 == (ENOSPC, 10) })
        XCTAssertEqual(batch.droppedLines, 10_000)
        XCTAssertEqual(batch.pendingBytes, 0, "bounded: nothing kept for a retry")
        writer.failing = nil
        batch.append { $0 += line(1) }
        batch.flush()
        XCTAssertEqual(writer.lines.count, 1, "writing resumes once the disk has room")
    }
}
