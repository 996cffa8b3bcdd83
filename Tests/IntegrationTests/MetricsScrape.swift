import ClusterTesting
import Foundation
import XCTest

/// One `/metrics` answer, parsed by the official Prometheus client's
/// parser (scripts/parse_metrics.py): a scrape that does not parse fails
/// the test, so every figure a test reads has passed it.
struct MetricsScrape {
    let families: [String: String]
    let samples: [(name: String, labels: [String: String], value: Double)]

    static let parser = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .appendingPathComponent("../../scripts/parse_metrics.py").standardized.path

    init(port: Int, file: StaticString = #filePath, line: UInt = #line) throws {
        let response = try TestHTTP.request(port: port, method: "GET", path: "/metrics")
        XCTAssertEqual(response.status, 200, file: file, line: line)
        XCTAssertEqual(response.headers["Content-Type"], "text/plain; version=0.0.4; charset=utf-8", file: file, line: line)
        let path = NSTemporaryDirectory() + "scrape-\(UUID().uuidString).txt"
        defer { try? FileManager.default.removeItem(atPath: path) }
        try Data(response.body).write(to: URL(fileURLWithPath: path))
        let run = try ToolRun.output(of: "/usr/bin/python3", [Self.parser, path])
        XCTAssertEqual(run.status, 0, "the scrape of :\(port) does not parse:\n\(response.text)", file: file, line: line)
        let object = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(run.output)) as? [String: Any])
        families = try XCTUnwrap(object["families"] as? [String: String])
        let rows = try XCTUnwrap(object["samples"] as? [[Any]])
        samples = rows.map { ($0[0] as! String, $0[1] as! [String: String], ($0[2] as! NSNumber).doubleValue) }
    }

    /// The sum of the samples named `name` whose labels include `labels`.
    func sum(_ name: String, _ labels: [String: String] = [:]) -> Double {
        samples.filter { sample in sample.name == name && labels.allSatisfy { sample.labels[$0.key] == $0.value } }
            .reduce(0) { $0 + $1.value }
    }
}
