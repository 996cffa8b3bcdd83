import ClusterTesting
import Foundation
import XCTest

/// The study end to end with tiny settings: a results file in the study's
/// format and a PNG chart.
final class SweepTests: XCTestCase {
    func testATinySweepWritesAResultsFileAndAPlot() throws {
        let out = NSTemporaryDirectory() + "sweep-\(UUID().uuidString)"
        defer { try? FileManager.default.removeItem(atPath: out) }
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        let sweep = Process()
        sweep.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        sweep.arguments = ["python3", root.appendingPathComponent("scripts/sweep.py").path, "--bin", TestProcess.binDirectory.path,
                           "--workers", "1 2", "--amount", "20", "--runs", "1", "--port", "\(Int.random(in: 20_000...32_000))",
                           "--out", out]
        let pipe = Pipe()
        sweep.standardOutput = pipe
        sweep.standardError = FileHandle.nullDevice
        try sweep.run()
        let printed = String(decoding: pipe.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        sweep.waitUntilExit()
        XCTAssertEqual(sweep.terminationStatus, 0, printed)
        let files = try FileManager.default.contentsOfDirectory(atPath: out)
        let text = try XCTUnwrap(files.first { $0.hasPrefix("sweep-") && $0.hasSuffix(".txt") })
        let png = try XCTUnwrap(files.first { $0.hasPrefix("sweep-") && $0.hasSuffix(".png") })
        let lines = try String(contentsOfFile: out + "/" + text, encoding: .utf8).split(separator: "\n")
        XCTAssertTrue(lines.contains { $0.hasPrefix("# machine:") })
        XCTAssertTrue(lines.contains { $0.hasPrefix("# settings:") && $0.contains("amount=20") })
        let rows = lines.filter { !$0.hasPrefix("#") }
        XCTAssertEqual(rows.count, 12, "2 worker counts x 6 actions")
        for row in rows {
            let columns = row.split(separator: " ")
            XCTAssertEqual(columns.count, 12, String(row))
            XCTAssertTrue(["1", "2"].contains(columns[0]))
            XCTAssertEqual(columns[2], "20")
            XCTAssertEqual(columns[3], "10")
            XCTAssertGreaterThan(Double(columns[4]) ?? 0, 0)
            XCTAssertEqual(columns[8], "0", "no non-2xx answers: \(row)")
        }
        let image = try Data(contentsOf: URL(fileURLWithPath: out + "/" + png))
        XCTAssertEqual(Array(image.prefix(8)), [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A])
    }
}
