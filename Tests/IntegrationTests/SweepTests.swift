import ClusterTesting
import Foundation
import XCTest

/// The study end to end with tiny settings and two fronts (blob-cluster's
/// tcp balancer and direct mode, the same workers behind each): one results
/// file in the study's format, with CPU per action by component and the
/// computed answer, and one PNG chart.
final class SweepTests: XCTestCase {
    func testATinySweepWritesAResultsFileAndAPlot() throws {
        let out = NSTemporaryDirectory() + "sweep-\(UUID().uuidString)"
        defer { try? FileManager.default.removeItem(atPath: out) }
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        let sweep = Process()
        sweep.executableURL = URL(fileURLWithPath: "/bin/bash")
        // --pin needs two CPUs; where there are, the header must say how they were shared.
        let pin = ProcessInfo.processInfo.activeProcessorCount >= 2
        sweep.arguments = [root.appendingPathComponent("scripts/sweep.sh").path, "--bin", TestProcess.binDirectory.path,
                           "--workers", "1 2", "--fronts", "tcp direct", "--amount", "50", "--runs", "2", "--min-run-seconds", "0.2",
                           "--port", "\(Int.random(in: 20_000...32_000))", "--out", out] + (pin ? ["--pin"] : [])
        let pipe = Pipe()
        sweep.standardOutput = pipe
        let progressLog = out + ".log"
        FileManager.default.createFile(atPath: progressLog, contents: nil)
        defer { try? FileManager.default.removeItem(atPath: progressLog) }
        sweep.standardError = try FileHandle(forWritingTo: URL(fileURLWithPath: progressLog))
        try sweep.run()
        let printed = String(decoding: pipe.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        sweep.waitUntilExit()
        let progress = (try? String(contentsOfFile: progressLog, encoding: .utf8)) ?? ""
        XCTAssertEqual(sweep.terminationStatus, 0, printed + progress)
        XCTAssertTrue(progress.contains("nothing of the cluster left running"), progress)
        let files = try FileManager.default.contentsOfDirectory(atPath: out)
        let text = try XCTUnwrap(files.first { $0.hasPrefix("sweep-") && $0.hasSuffix(".txt") })
        let png = try XCTUnwrap(files.first { $0.hasPrefix("sweep-") && $0.hasSuffix(".png") })
        let lines = try String(contentsOfFile: out + "/" + text, encoding: .utf8).split(separator: "\n")
        XCTAssertTrue(lines.contains { $0.hasPrefix("# cpu:") && $0.contains("cores:") && $0.contains("memory:") })
        XCTAssertTrue(lines.contains { $0.hasPrefix("# git commit:") })
        XCTAssertTrue(lines.contains { $0.contains("spread = (max - min) / mean") })
        XCTAssertTrue(lines.contains { $0.hasPrefix("# settings:") && $0.contains("amount=50") && $0.contains("fsync=off")
            && $0.contains("fronts=\"tcp direct\"") })
        XCTAssertTrue(lines.contains { $0.hasPrefix("# settings (cost): min_run_seconds=0.2 pin=\(pin ? "on" : "off")") })
        XCTAssertTrue(lines.contains { $0.hasPrefix(pin ? "# cpus: pinned" : "# cpus: shared") }, "how CPUs were shared")
        XCTAssertTrue(lines.contains { $0.hasPrefix("# store:") })
        XCTAssertTrue(lines.contains { $0.hasPrefix("# workers action amount size seconds") && $0.contains("client_us front_us workers_us server_us") })
        let rows = lines.filter { !$0.hasPrefix("#") }
        XCTAssertEqual(rows.count, 24, "2 fronts x 2 worker counts x 6 actions")
        XCTAssertEqual(rows.map { $0.split(separator: " ")[1] }.prefix(6), ["baseline", "list", "put", "get", "flag", "delete"])
        let labels = rows.map { String($0.split(separator: " ").last ?? "") }
        XCTAssertEqual(labels.filter { $0 == "blob-balancer-tcp" }.count, 12, "the tcp front's lines")
        XCTAssertEqual(labels.filter { $0 == "direct" }.count, 12, "direct mode's lines, in the same file")
        var tcpFront = 0.0
        for row in rows {
            let columns = row.split(separator: " ")
            XCTAssertEqual(columns.count, 18, String(row))
            XCTAssertTrue(["1", "2"].contains(columns[0]))
            XCTAssertEqual(columns[2], "50")
            XCTAssertEqual(columns[3], "10")
            XCTAssertGreaterThan(Double(columns[4]) ?? 0, 0)
            XCTAssertGreaterThan(Double(columns[5]) ?? 0, 0, "req/s")
            XCTAssertEqual(columns[8], "0", "no non-2xx answers: \(row)")
            XCTAssertEqual(columns[9], "0", "no failures: \(row)")
            XCTAssertNotNil(Double(columns[10]), "spread: \(row)")
            let cpu = columns[11...14].map { Double($0) ?? -1 }
            XCTAssertTrue(cpu.allSatisfy { $0 >= 0 }, "client, front, workers, server us per action are numbers: \(row)")
            XCTAssertGreaterThan(cpu[0], 0, "the client costs CPU: \(row)")
            XCTAssertGreaterThan(cpu[3], 0, "the server costs CPU: \(row)")
            XCTAssertEqual(cpu[3], cpu[1] + cpu[2], accuracy: 0.02, "server = front + workers: \(row)")
            let measured = Int(columns[15]) ?? 0
            XCTAssertTrue(measured >= 2 * 50 && measured % 50 == 0, "whole batches of 50 actions, at least one per run: \(row)")
            XCTAssertEqual(columns[16], "0", "no measured pid vanished: \(row)")
            if columns[17] == "direct" {
                XCTAssertEqual(cpu[1], 0, "no balancer in direct mode: \(row)")
            } else {
                tcpFront += cpu[1]
            }
        }
        XCTAssertGreaterThan(tcpFront, 0, "the tcp front's balancer costs CPU")
        let answers = lines.filter { $0.hasPrefix("# answer ") && !$0.hasPrefix("# answer front") }
        XCTAssertTrue(lines.contains { $0.hasPrefix("# answer front action workers base rate_x server_cpu_x client_alone") })
        XCTAssertEqual(answers.count, 24, "one answer per line measured")
        for answer in answers {
            let fields = answer.split(separator: " ").dropFirst(2).map(String.init)
            XCTAssertEqual(fields.count, 9, String(answer))
            guard fields.count == 9 else { continue }
            XCTAssertTrue(["blob-balancer-tcp", "direct"].contains(fields[0]), String(answer))
            XCTAssertEqual(fields[3], "1", "relative to 1 worker: \(answer)")
            let numbers = fields[4...].map { Double($0) ?? -1 }
            XCTAssertTrue(numbers.allSatisfy { $0 >= 0 }, String(answer))
            XCTAssertGreaterThan(numbers[0], 0, "actions/s relative to 1 worker: \(answer)")
            XCTAssertGreaterThan(numbers[2], 0, "the client's rate alone on one core: \(answer)")
            if fields[2] == "1" {
                XCTAssertEqual(numbers[0], 1, "1 worker against itself: \(answer)")
                XCTAssertEqual(numbers[1], 1, "1 worker against itself: \(answer)")
            }
        }
        // Against the study's published figure: 1 worker, per front and action.
        let study = lines.filter { $0.hasPrefix("# study ") && !$0.hasPrefix("# study front") }
        XCTAssertTrue(lines.contains { $0.hasPrefix("# study front action ours_s study_s x verdict") })
        XCTAssertEqual(study.count, 12, "2 fronts x 6 actions with 1 worker")
        for line in study {
            let fields = line.split(separator: " ").dropFirst(2).map(String.init)
            guard fields.count == 6, let ours = Double(fields[2]), let theirs = Double(fields[3]), let ratio = Double(fields[4]) else {
                XCTFail("malformed: \(line)"); continue
            }
            let row = rows.first { $0.hasSuffix(" " + fields[0]) && $0.split(separator: " ")[1] == fields[1] && $0.hasPrefix("1 ") }
            let seconds = Double(row?.split(separator: " ")[4] ?? "") ?? -1
            XCTAssertEqual(ours, seconds * 1000 / 50, accuracy: 0.0001 + ours * 0.001, "ours per 1000 actions: \(line)")
            XCTAssertEqual(ratio, theirs / ours, accuracy: 0.06 + ratio * 0.01, String(line))
            XCTAssertEqual(fields[5], ratio >= 20 ? "met" : "missed", String(line))
        }
        let image = try Data(contentsOf: URL(fileURLWithPath: out + "/" + png))
        XCTAssertEqual(Array(image.prefix(8)), [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A])
        XCTAssertTrue(printed.contains(text) && printed.contains(png), "prints both paths: \(printed)")
    }

    func testSweepUsage() throws {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        for (arguments, status) in [(["--help"], Int32(0)), (["--workers", "0"], 64), (["--actions", "dance"], 64),
                                    (["--mode", "udp"], 64), (["--fronts", "tcp nginx"], 64), (["--fronts", ""], 64),
                                    (["--balancers", "0"], 64), (["--frobnicate"], 64),
                                    (["--multihost", "--workers", "2"], 64), (["--multihost", "--fronts", "direct"], 64)] {
            let sweep = Process()
            sweep.executableURL = URL(fileURLWithPath: "/bin/bash")
            sweep.arguments = [root.appendingPathComponent("scripts/sweep.sh").path] + arguments
            sweep.standardOutput = FileHandle.nullDevice
            sweep.standardError = FileHandle.nullDevice
            try sweep.run()
            sweep.waitUntilExit()
            XCTAssertEqual(sweep.terminationStatus, status, "\(arguments)")
        }
    }
}
