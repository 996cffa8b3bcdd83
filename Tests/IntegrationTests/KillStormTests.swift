import ClusterTesting
import Foundation
import XCTest

#if canImport(Glibc)
import Glibc
#endif

/// A kill -9 storm: a random worker of an http-mode cluster killed every
/// 300 ms while blob-load and a recording client (`StormClient`) PUT, GET
/// and DELETE through it. Afterwards the store check finds nothing but
/// what a kill leaves by design (temporary files, a tombstone next to a
/// live blob, flags without a blob), a repair with no age bound removes
/// it, and every acknowledged blob reads back whole.
/// `STORM_SECONDS` sets the length (8 s here; scripts/measure-faults.sh
/// runs it longer) and `STORM_REPORT` a file for the figures.
final class KillStormTests: XCTestCase {
    private var store = ""
    private var processes: [TestProcess] = []

    override func setUp() {
        store = "/dev/shm/storm-\(UUID().uuidString)"
    }

    override func tearDown() {
        processes.reversed().forEach { $0.stop(grace: 10) }
        try? FileManager.default.removeItem(atPath: store)
    }

    private func start(_ binary: String, _ arguments: [String]) throws -> TestProcess {
        let process = try TestProcess(binary, arguments)
        processes.append(process)
        return process
    }

    private func check(_ arguments: [String] = []) throws -> (status: Int32?, lines: [Substring]) {
        let process = try TestProcess("blob-server", ["--check-store", store] + arguments)
        let status = process.waitForExit(timeout: 60)
        return (status, process.output.split(separator: "\n"))
    }

    func testAKillStormLosesNoAcknowledgedBlobAndLeavesOnlyTemporaryFiles() throws {
        let environment = ProcessInfo.processInfo.environment
        let seconds = Double(environment["STORM_SECONDS"] ?? "") ?? 8
        let port = Int.random(in: 20_000...32_000)
        let cluster = try start("blob-cluster", [
            "--workers", "4", "--store", store, "--port", "\(port)", "--worker-base-port", "\(port + 1)", "--mode", "http",
        ])
        _ = try cluster.waitForLine(containing: "ready", timeout: 20)
        // blob-load's own put, get and delete as background load (stopped at
        // the end); only the recording client knows which ids were acknowledged.
        let loads = try ["put", "get", "delete"].map { action in
            try start("blob-load", ["--action", action, "--amount", "100000000", "--concurrency", "2",
                                    "--user", "storm-\(action)", "--url", "http://127.0.0.1:\(port)"])
        }
        let client = StormClient(port: port, user: "storm")
        let deadline = Date().addingTimeInterval(seconds)
        let clientsDone = DispatchSemaphore(value: 0)
        let runner = Thread {
            client.run(threads: 4, until: deadline)
            clientsDone.signal()
        }
        runner.start()
        // A killed worker stays in the log until its replacement boots (and
        // answers signals as a zombie until reaped): each pid is killed once.
        var killed: Set<Int32> = []
        while Date() < deadline {
            usleep(300_000)
            let alive = SupervisorLog.workerPids(in: cluster.output).filter { ((port + 1)...(port + 4)).contains($0.key) }.map(\.value)
                .filter { !killed.contains($0) }
            if let victim = alive.randomElement(), kill(victim, SIGKILL) == 0 { killed.insert(victim) }
        }
        let kills = killed.count
        XCTAssertEqual(clientsDone.wait(timeout: .now() + 60), .success, "the clients stop by themselves")
        loads.forEach { $0.stop() }
        cluster.stop(grace: 10)
        XCTAssertFalse(cluster.process.isRunning)

        let before = try check()
        let findings = before.lines.dropLast()
        // What a kill -9 may leave by design (BlobStore.delete, BlobWriter.commit):
        // a temporary file, a tombstone next to a live blob (killed between a
        // DELETE's steps 1 and 2, or a PUT's link and its tombstone unlink),
        // flags without their blob (between a DELETE's steps 2 and 3). Never
        // anything unknown.
        let crashLeftovers = ["temporary ", "tombstone-with-blob ", "flags-without-blob "]
        XCTAssertTrue(findings.allSatisfy { line in crashLeftovers.contains { line.hasPrefix($0) } },
                      "only what a crash leaves by design:\n" + before.lines.joined(separator: "\n"))
        XCTAssertEqual(before.status, findings.isEmpty ? 0 : 1)
        let repair = try check(["--repair", "--temporary-age", "0"])
        XCTAssertEqual(repair.status, 0, repair.lines.joined(separator: "\n"))
        let after = try check()
        XCTAssertEqual(after.status, 0, after.lines.joined(separator: "\n"))

        // Every acknowledged blob, read back from a fresh worker on the store.
        let reader = try start("blob-server", ["--port", "0", "--store", store])
        let readerPort = try reader.waitForListeningPort()
        var verified = 0
        for (id, bytes) in client.acknowledged {
            let get = try TestHTTP.request(port: readerPort, method: "GET", path: "/blobs/storm/\(id)")
            XCTAssertEqual(get.status, 200, "acknowledged \(id) lost")
            if get.status == 200 && get.body == bytes { verified += 1 } else { XCTFail("\(id): \(get.body.count) bytes, not the \(bytes.count) acknowledged") }
        }
        for id in client.deleted {
            XCTAssertEqual(try TestHTTP.request(port: readerPort, method: "GET", path: "/blobs/storm/\(id)").status, 404, "deleted \(id) is back")
        }
        var maybeKept = 0
        for (id, bytes) in client.maybeDeleted {
            let get = try TestHTTP.request(port: readerPort, method: "GET", path: "/blobs/storm/\(id)")
            XCTAssertTrue(get.status == 404 || (get.status == 200 && get.body == bytes), "\(id), DELETE unanswered: \(get.status), \(get.body.count) bytes")
            if get.status == 200 { maybeKept += 1 }
        }
        XCTAssertEqual(client.wrongBodies, [], "GETs during the storm got other bytes")
        XCTAssertGreaterThanOrEqual(kills, Int(seconds), "a kill every 300 ms (when a worker is up)")
        let acknowledgedPuts = client.acknowledged.count + client.deleted.count + client.maybeDeleted.count
        XCTAssertGreaterThanOrEqual(acknowledgedPuts, 20, "the storm acknowledged enough PUTs to mean something")
        XCTAssertGreaterThanOrEqual(client.acknowledged.count, 10, "enough kept blobs to read back")

        let statuses = client.statuses.sorted { $0.key < $1.key }.map { "\($0.key): \($0.value)" }
        let summary = { (lines: [Substring]) -> String in lines.last.map(String.init) ?? "" }
        var report = ["storm: \(seconds) s, kill -9 of a random worker every 300 ms, 4 workers (http mode), store on /dev/shm"]
        report.append("load: 4 recording client threads (PUT 1 B-64 KiB / GET / DELETE, 5:3:2; every other acknowledged blob is never deleted) + blob-load put, get and delete, -c 2 each")
        report.append("kills done: \(kills) (distinct workers, SIGKILL)")
        report.append("requests by status (recording clients): " + statuses.joined(separator: ", "))
        report.append("(503: no worker was up; each quick death doubles the supervisor's restart delay, 0.1 s up to 5 s)")
        report.append("PUTs acknowledged: \(acknowledgedPuts)")
        report.append("  not deleted, verified whole: \(verified) of \(client.acknowledged.count)")
        report.append("  deleted with 200, still gone: \(client.deleted.count)")
        report.append("  DELETE not answered 200, blob whole or gone: \(client.maybeDeleted.count) (\(maybeKept) whole)")
        report.append("GETs with wrong bytes during the storm: \(client.wrongBodies.count)")
        report.append("store check before repair: " + summary(before.lines))
        report.append("store check --repair --temporary-age 0: " + summary(repair.lines))
        report.append("store check after repair: " + summary(after.lines))
        print(report.joined(separator: "\n"))
        if let path = environment["STORM_REPORT"] {
            try (report.joined(separator: "\n") + "\n").write(toFile: path, atomically: true, encoding: .utf8)
        }
    }
}
