import ClusterTesting
import Foundation
import XCTest
#if canImport(Glibc)
import Glibc
#endif

/// The growth study end to end, tiny: a results file with its header, one
/// line per step x benchmark x kind with every answer the promised 200, the
/// goals computed, a PNG, and nothing left running or stored.
final class GrowthTests: XCTestCase {
    private let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    private func growth(_ arguments: [String], log: String) throws -> (status: Int32, printed: String, progress: String) {
        let script = Process()
        script.executableURL = URL(fileURLWithPath: "/bin/bash")
        script.arguments = [root.appendingPathComponent("scripts/growth.sh").path] + arguments
        let pipe = Pipe()
        script.standardOutput = pipe
        FileManager.default.createFile(atPath: log, contents: nil)
        script.standardError = try FileHandle(forWritingTo: URL(fileURLWithPath: log))
        try script.run()
        let printed = String(decoding: pipe.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        script.waitUntilExit()
        return (script.terminationStatus, printed, (try? String(contentsOfFile: log, encoding: .utf8)) ?? "")
    }

    func testATinyGrowthStudyWithQuotaWritesOneLinePerStepBenchmarkAndKindAndAChart() throws {
        let out = NSTemporaryDirectory() + "growth-\(UUID().uuidString)"
        let stores = NSTemporaryDirectory() + "growth-stores-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: stores, withIntermediateDirectories: true)
        defer {
            try? FileManager.default.removeItem(atPath: out)
            try? FileManager.default.removeItem(atPath: stores)
            try? FileManager.default.removeItem(atPath: out + ".log")
        }
        let port = Int.random(in: 20_000...32_000)
        let began = Date()
        let run = try growth(["--bin", TestProcess.binDirectory.path, "--steps", "100 300", "--amount", "20", "--seconds", "3",
                              "--small", "5", "--quota", "1GiB", "--port", "\(port)", "--out", out, "--suffix", "tiny",
                              "--store-parent", stores], log: out + ".log")
        XCTAssertEqual(run.status, 0, run.printed + run.progress)
        XCTAssertLessThan(Date().timeIntervalSince(began), 60, "a tiny study takes seconds")
        XCTAssertEqual(run.progress.components(separatedBy: "nothing of it left running, store removed").count, 3, "both passes stopped: \(run.progress)")
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: stores), [], "no store left behind")
        let files = try FileManager.default.contentsOfDirectory(atPath: out)
        let text = try XCTUnwrap(files.first { $0.hasPrefix("growth-") && $0.hasSuffix("c-tiny.txt") }, "\(files)")
        let png = try XCTUnwrap(files.first { $0.hasPrefix("growth-") && $0.hasSuffix("c-tiny.png") }, "\(files)")
        XCTAssertTrue(run.printed.contains(text) && run.printed.contains(png), run.printed)

        let lines = try String(contentsOfFile: out + "/" + text, encoding: .utf8).split(separator: "\n").map(String.init)
        XCTAssertTrue(lines.contains { $0.hasPrefix("# cpu:") && $0.contains("cores:") })
        XCTAssertTrue(lines.contains { $0.hasPrefix("# git commit:") })
        XCTAssertTrue(lines.contains { $0.hasPrefix("# settings:") && $0.contains("steps=\"100 300\"") && $0.contains("amount=20") && $0.contains("size=1KiB") })
        XCTAssertTrue(lines.contains { $0.hasPrefix("# quota:") })
        XCTAssertTrue(lines.contains { $0.hasPrefix("# restarts:") }, "says where worker restarts would be noted")
        XCTAssertFalse(lines.contains { $0.hasPrefix("# restarts quota=off") }, "no worker restarted without quota")
        XCTAssertTrue(lines.contains("# stored benchmark kind count p50_ms p90_ms p99_ms p99.9_ms statuses quota"))
        let rows = lines.filter { !$0.hasPrefix("#") }.map { $0.split(separator: " ").map(String.init) }
        let kinds = ["sequential put", "load put", "load get", "load flag", "load delete", "load count", "load list-small"]
        XCTAssertEqual(rows.count, 2 * 2 * kinds.count, "2 quota passes x 2 steps x (1 sequential + 6 load kinds)")
        for quota in ["off", "1GiB"] {
            for step in ["100", "300"] {
                let here = rows.filter { $0.count == 10 && $0[9] == quota && $0[0] == step }
                XCTAssertEqual(here.map { "\($0[1]) \($0[2])" }, kinds, "quota \(quota) step \(step)")
            }
        }
        for row in rows where row.count == 10 {
            let measured = Int(row[3]) ?? 0
            XCTAssertTrue((1...20).contains(measured), "\(row)")
            XCTAssertEqual(row[8], "200=\(measured)", "every request got the promised 200: \(row)")
            let percentiles = row[4...7].map { Double($0) ?? -1 }
            XCTAssertTrue(percentiles.allSatisfy { $0 > 0 }, "\(row)")
            XCTAssertEqual(percentiles, percentiles.sorted(), "p50 <= p90 <= p99 <= p99.9: \(row)")
        }
        let goals = lines.filter { $0.hasPrefix("# goal ") && !$0.hasPrefix("# goal quota") && !$0.hasPrefix("# goal statuses") }
        XCTAssertEqual(goals.count, 2 * kinds.count, "one ratio per quota pass and kind (the second step against the first)")
        for goal in goals where ["put", "get", "flag", "delete"].contains(goal.split(separator: " ")[4]) {
            XCTAssertTrue(goal.hasSuffix(" met") || goal.hasSuffix(" missed"), goal)
        }
        XCTAssertTrue(lines.contains("# goal statuses: met: every request of all 28 lines was answered 200"), lines.joined(separator: "\n"))

        let image = try Data(contentsOf: URL(fileURLWithPath: out + "/" + png))
        XCTAssertEqual(Array(image.prefix(8)), [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A])
        XCTAssertGreaterThan(image.count, 20_000, "a chart, not an empty image")
        XCTAssertFalse(listening(on: port), "nothing listens on the study's port any more")
    }

    func testGrowthUsage() throws {
        let log = NSTemporaryDirectory() + "growth-usage-\(UUID().uuidString).log"
        defer { try? FileManager.default.removeItem(atPath: log) }
        for (arguments, status) in [(["--help"], Int32(0)), (["--max", "999"], 64), (["--steps", "1000 100"], 64),
                                    (["--quota-only"], 64), (["--quota", "lots"], 64), (["--amount", "0"], 64), (["--frobnicate"], 64)] {
            let run = try growth(arguments, log: log)
            XCTAssertEqual(run.status, status, "\(arguments): \(run.progress)")
            if status == 64 { XCTAssertTrue(run.progress.hasPrefix("growth.sh: "), run.progress) }
        }
        XCTAssertTrue(try growth(["--help"], log: log).printed.contains("--store-parent DIR"))
    }

    private func listening(on port: Int) -> Bool {
        (try? TestConnection(port: port)) != nil
    }
}
