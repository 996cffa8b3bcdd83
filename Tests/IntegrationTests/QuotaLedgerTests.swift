import ClusterTesting
import Foundation
import XCTest

#if canImport(Glibc)
import Glibc
#endif

/// `--quota` across real workers sharing a store: racing PUTs on three
/// workers cross the quota by one blob at most, and a worker killed while
/// its usage ledger is marked pending leaves a store whose next 200/507
/// follows the bytes really stored.
final class QuotaLedgerTests: XCTestCase {
    /// BlobKit's CrashPoint.environmentVariable (test only).
    private static let crashVariable = "BLOB_SERVER_CRASH_AFTER"
    private static let size = 4096
    private var store = ""
    private var workers: [TestProcess] = []

    override func setUp() {
        store = NSTemporaryDirectory() + "quota-ledger-\(UUID().uuidString)"
    }

    override func tearDown() {
        workers.forEach { $0.stop() }
        workers = []
        try? FileManager.default.removeItem(atPath: store)
    }

    private func startWorker(_ arguments: [String], crashAt crash: String? = nil) throws -> (TestProcess, Int) {
        let environment = crash.map { [Self.crashVariable: $0] } ?? [:]
        let worker = try TestProcess("blob-server", ["--port", "0", "--store", store] + arguments, environment: environment)
        workers.append(worker)
        return (worker, try worker.waitForListeningPort())
    }

    private func put(_ port: Int, _ blobID: String) throws -> Int {
        try TestHTTP.request(port: port, method: "PUT", path: "/blobs/q/\(blobID)", body: [UInt8](repeating: 7, count: Self.size)).status
    }

    /// The bytes of user q's published blobs, walked here: files whose
    /// name is a valid id (not flags, tombstones, temporaries, the ledger).
    private func publishedBytes() -> Int {
        let base = store + "/q"
        guard let files = FileManager.default.enumerator(atPath: base) else { return 0 }
        var total = 0
        for case let relative as String in files {
            let name = (relative as NSString).lastPathComponent
            guard !name.isEmpty, name.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "_" || $0 == "-") }),
                  let attributes = try? FileManager.default.attributesOfItem(atPath: base + "/" + relative),
                  attributes[.type] as? FileAttributeType == .typeRegular else { continue }
            total += (attributes[.size] as? Int) ?? 0
        }
        return total
    }

    /// The ledger's text, trimmed (`v1 used=… settled` or `… pending=±…`).
    private func ledger() -> String {
        let bytes = (try? Data(contentsOf: URL(fileURLWithPath: store + "/q/.usage"))) ?? Data()
        return String(decoding: bytes, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
    }

    private func settled(_ used: Int) -> String {
        "v1 used=" + String(repeating: "0", count: 20 - String(used).count) + String(used) + " settled"
    }

    func testRacingPutsOnThreeWorkersCrossTheQuotaByOneBlobAtMost() throws {
        let quota = 100 * 1024 + 1  // 26 blobs of 4 KiB are accepted (the 26th at 100 KiB < quota)
        let group = try WorkerGroup(count: 3, storeName: "quota-race", arguments: ["--quota", String(quota)])
        defer { group.stop() }
        store = group.store
        let threads = 12, perThread = 8
        let lock = NSLock()
        nonisolated(unsafe) var all: [String: Int] = [:]
        let ports = group.ports
        DispatchQueue.concurrentPerform(iterations: threads) { thread in
            for index in 0..<perThread {
                let blobID = "t\(thread)-\(index)"
                let status = (try? TestHTTP.request(port: ports[(thread + index) % 3], method: "PUT", path: "/blobs/q/\(blobID)",
                                                   body: [UInt8](repeating: 7, count: Self.size)).status) ?? -1
                lock.withLock { all[blobID] = status }
            }
        }
        let accepted = all.filter { $0.value == 200 }.map(\.key)
        XCTAssertEqual(all.count, threads * perThread)
        XCTAssertEqual(Set(all.values).subtracting([200, 507]), [], "only 200 and 507: \(all)")
        XCTAssertEqual(accepted.count, (quota + Self.size - 1) / Self.size, "below the quota a PUT is accepted, at or over it refused")
        let published = publishedBytes()
        XCTAssertEqual(published, accepted.count * Self.size, "every 200 is stored, nothing else")
        XCTAssertLessThanOrEqual(published, quota + Self.size - 1, "API.md's bound: quota - 1 + one blob")
        XCTAssertEqual(ledger(), settled(published), "the ledger is the real usage")
        for (blobID, status) in all {
            let get = try TestHTTP.request(port: group.ports[0], method: "GET", path: "/blobs/q/\(blobID)")
            XCTAssertEqual(get.status, status == 200 ? 200 : 404, blobID)
            if status == 200 { XCTAssertEqual(get.body.count, Self.size, blobID) }
        }
    }

    /// Puts `a` (and `b` with `two`) on a worker with a quota of two blobs,
    /// then runs `request` on a worker that dies at `crash`.
    private func crash(at crash: String, two: Bool = false, _ request: (Int) throws -> Void) throws {
        let quota = ["--quota", String(2 * Self.size)]
        let (setup, setupPort) = try startWorker(quota)
        XCTAssertEqual(try put(setupPort, "a"), 200)
        if two { XCTAssertEqual(try put(setupPort, "b"), 200) }
        setup.stop()
        let (crashing, crashPort) = try startWorker(quota, crashAt: crash)
        try request(crashPort)
        XCTAssertEqual(crashing.waitForExit(timeout: 10), 137, "\(crash): the worker died at the crash point")
        XCTAssertTrue(ledger().contains(" pending="), "\(crash): left pending: \(ledger())")
    }

    func testAWorkerKilledAfterItsLinkLeavesTheBlobCounted() throws {
        try crash(at: "put:1") { port in XCTAssertThrowsError(try put(port, "b")) }
        let (_, port) = try startWorker(["--quota", String(2 * Self.size)])
        XCTAssertEqual(try TestHTTP.request(port: port, method: "GET", path: "/blobs/q/b").status, 200, "linked before the crash")
        XCTAssertEqual(try put(port, "c"), 507, "8 KiB are stored: at the quota")
        XCTAssertEqual(ledger(), settled(2 * Self.size))
        XCTAssertEqual(try TestHTTP.request(port: port, method: "DELETE", path: "/blobs/q/a").status, 200)
        XCTAssertEqual(try put(port, "c"), 200)
        XCTAssertEqual(ledger(), settled(publishedBytes()))
    }

    func testAWorkerKilledBeforeItsLinkLeavesNothingCounted() throws {
        try crash(at: "quota:1") { port in XCTAssertThrowsError(try put(port, "b")) }
        let (_, port) = try startWorker(["--quota", String(2 * Self.size)])
        XCTAssertEqual(try TestHTTP.request(port: port, method: "GET", path: "/blobs/q/b").status, 404)
        XCTAssertEqual(try put(port, "c"), 200, "4 KiB are stored, not the 8 the pending marker would add up to")
        XCTAssertEqual(try put(port, "d"), 507)
        XCTAssertEqual(ledger(), settled(2 * Self.size))
    }

    func testAWorkerKilledAfterADeletesUnlinkLeavesItFreed() throws {
        try crash(at: "delete:2", two: true) { port in
            XCTAssertThrowsError(try TestHTTP.request(port: port, method: "DELETE", path: "/blobs/q/a"))
        }
        let (_, port) = try startWorker(["--quota", String(2 * Self.size)])
        XCTAssertEqual(try TestHTTP.request(port: port, method: "GET", path: "/blobs/q/a").status, 404)
        XCTAssertEqual(try put(port, "c"), 200, "the DELETE freed 4 KiB before the crash")
        XCTAssertEqual(try put(port, "d"), 507)
        XCTAssertEqual(ledger(), settled(2 * Self.size))
    }

    /// A worker without --quota keeps no ledger, so it empties them at
    /// start: the blobs it stores are counted by the next quota worker.
    func testBlobsStoredWithoutQuotaAreCountedByTheNextQuotaWorker() throws {
        let quota = ["--quota", String(2 * Self.size)]
        let (first, firstPort) = try startWorker(quota)
        XCTAssertEqual(try put(firstPort, "a"), 200)
        first.stop()
        let (plain, plainPort) = try startWorker([])
        XCTAssertTrue(try plain.waitForLine(containing: "usage ledgers").contains("emptied 1"))
        XCTAssertEqual(try put(plainPort, "b"), 200)
        plain.stop()
        let (_, port) = try startWorker(quota)
        XCTAssertEqual(try put(port, "c"), 507, "a and b: 8 KiB")
        XCTAssertEqual(ledger(), settled(2 * Self.size))
    }
}
