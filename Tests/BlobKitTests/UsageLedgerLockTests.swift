@testable import BlobKit
import BlobProtocol
import Foundation
import XCTest

#if canImport(Glibc)
import Glibc
#endif

/// Waiting on the usage ledger's lock is bounded: a request waits while
/// another worker holds it (here a second open of the ledger, which flock
/// treats as another process) for at most `quotaLockWait`, then gives up
/// with `ledgerBusy` (503) having changed nothing, so a stopped or slow
/// holder cannot stall a worker's loop.
final class UsageLedgerLockTests: StoreTestCase {
    private var ledgerPath: String { root + "/alice/.usage" }

    private func ledger() throws -> UsageRecord? {
        UsageRecord(bytes: Array(try Data(contentsOf: URL(fileURLWithPath: ledgerPath))))
    }

    /// Another worker's hold on the ledger, as flock sees it.
    private func holdLedger() throws -> UsageLedger {
        let holder = try XCTUnwrap(try UsageLedger.open(root: root, user: "alice"))
        try holder.lock(LOCK_EX)
        return holder
    }

    /// Named temporary files, so a temporary file left behind would show.
    private func quotaStore() throws -> BlobStore {
        try BlobStore(root: root, durability: .processCrash, quota: 100, quotaLockWait: 0.2,
                      allowUnnamedTemporaryFiles: false)
    }

    /// Runs `body` on another thread while `holder` keeps the lock: the
    /// error it threw and its duration, or nil if it still runs after 2 s
    /// (an unbounded wait: the hold is then released, so it can finish).
    private func attempt(holding holder: UsageLedger, _ body: @escaping () throws -> Void) -> (StoreError?, Double)? {
        let done = DispatchSemaphore(value: 0)
        let result = UncheckedBox(Attempt(nil as StoreError?, 0.0))
        let box = UncheckedBox(body)
        Thread.detachNewThread {
            let start = Date()
            do { try box.value() } catch { result.value.error = error as? StoreError ?? .system(call: "\(error)", errno: 0, path: "") }
            result.value.seconds = Date().timeIntervalSince(start)
            done.signal()
        }
        guard done.wait(timeout: .now() + 2) == .success else {
            holder.close()
            _ = done.wait(timeout: .now() + 10)
            return nil
        }
        return (result.value.error, result.value.seconds)
    }

    /// A hold shorter than the bound is waited for: the commit goes through.
    func testACommitWaitsForAShortHold() throws {
        store = try quotaStore()
        try put("a", "1")
        let writer = try store.beginWrite(user: user, namespace: ns, id: id("b"))
        try [UInt8](repeating: 1, count: 4).withUnsafeBytes { try writer.write($0) }
        let holder = try holdLedger()
        let done = DispatchSemaphore(value: 0)
        let box = UncheckedBox(writer)
        Thread.detachNewThread {
            do { try box.value.commit() } catch { XCTFail("\(error)") }
            done.signal()
        }
        XCTAssertEqual(done.wait(timeout: .now() + 0.05), .timedOut, "the commit waits for the lock")
        XCTAssertFalse(FileManager.default.fileExists(atPath: path("b")))
        holder.close()
        XCTAssertEqual(done.wait(timeout: .now() + 10), .success)
        XCTAssertEqual(try ledger(), UsageRecord(used: 5, state: .settled))
    }

    /// Held past the bound, a commit is `ledgerBusy` after about the bound:
    /// the blob is not published, its temporary file is gone, the ledger
    /// is as it was; once the lock is free the same PUT succeeds.
    func testACommitGivesUpAfterTheBoundAndChangesNothing() throws {
        store = try quotaStore()
        try put("a", "1")
        let writer = try store.beginWrite(user: user, namespace: ns, id: id("b"))
        try [UInt8](repeating: 1, count: 4).withUnsafeBytes { try writer.write($0) }
        let holder = try holdLedger()
        let box = UncheckedBox(writer)
        let (error, waited) = try XCTUnwrap(attempt(holding: holder) { try box.value.commit() }, "the wait is bounded")
        XCTAssertEqual(error, .ledgerBusy)
        XCTAssertGreaterThanOrEqual(waited, 0.19)
        XCTAssertLessThan(waited, 1.0, "the wait is bounded")
        XCTAssertFalse(FileManager.default.fileExists(atPath: path("b")))
        XCTAssertEqual(try dotFiles().filter { !$0.hasSuffix(".usage") }, [], "the temporary file is removed")
        holder.close()
        XCTAssertEqual(try ledger(), UsageRecord(used: 1, state: .settled))
        try put("b", "2222")
        XCTAssertEqual(try read("b"), Array("2222".utf8))
        XCTAssertEqual(try ledger(), UsageRecord(used: 5, state: .settled))
    }

    /// The early check of a PUT gives up the same way, before any file is made.
    func testBeginWriteGivesUpAfterTheBound() throws {
        store = try quotaStore()
        try put("a", "1")
        let holder = try holdLedger()
        let (box, user, ns, blob) = (UncheckedBox(store!), user, ns, id("b"))
        let (error, waited) = try XCTUnwrap(attempt(holding: holder) {
            _ = try box.value.beginWrite(user: user, namespace: ns, id: blob)
        }, "the wait is bounded")
        XCTAssertEqual(error, .ledgerBusy)
        XCTAssertLessThan(waited, 1.0)
        XCTAssertEqual(try dotFiles().filter { !$0.hasSuffix(".usage") }, [])
        holder.close()
    }

    /// A DELETE that gives up leaves the blob live and readable (its
    /// tombstone next to it means nothing) and the ledger as it was; the
    /// retry deletes it.
    func testADeleteGivesUpAfterTheBoundAndTheBlobStaysLive() throws {
        store = try quotaStore()
        try put("a", "1")
        try put("b", "22")
        let holder = try holdLedger()
        let (box, user, ns, blob) = (UncheckedBox(store!), user, ns, id("b"))
        let (error, waited) = try XCTUnwrap(attempt(holding: holder) {
            try box.value.delete(user: user, namespace: ns, id: blob)
        }, "the wait is bounded")
        XCTAssertEqual(error, .ledgerBusy)
        XCTAssertGreaterThanOrEqual(waited, 0.19)
        XCTAssertLessThan(waited, 1.0)
        XCTAssertEqual(try read("b"), Array("22".utf8))
        XCTAssertEqual(try list().sorted(), ["a", "b"])
        XCTAssertEqual(try list(deleted: true), [], "a tombstone next to a live blob is not a deletion")
        holder.close()
        XCTAssertEqual(try ledger(), UsageRecord(used: 3, state: .settled))
        try store.delete(user: user, namespace: ns, id: id("b"))
        assertStoreError(.notFound, try read("b"))
        XCTAssertEqual(try ledger(), UsageRecord(used: 1, state: .settled))
    }

    /// The answer a client gets: 503, the one-line reason, Retry-After.
    func testLedgerBusyIsA503WithRetryAfter() {
        XCTAssertEqual(StoreError.ledgerBusy.status, 503)
        XCTAssertEqual(StoreError.ledgerBusy.reason, "quota ledger busy, retry")
        XCTAssertEqual(StoreError.ledgerBusy.retryAfter, 1)
        XCTAssertNil(StoreError.quotaExceeded.retryAfter)
    }
}

/// Hands a non-Sendable value to one other thread in a test.
private final class UncheckedBox<Value>: @unchecked Sendable {
    var value: Value
    init(_ value: Value) { self.value = value }
}

/// What `attempt` saw on its thread.
private struct Attempt {
    var error: StoreError?
    var seconds: Double
    init(_ error: StoreError?, _ seconds: Double) {
        self.error = error
        self.seconds = seconds
    }
}
