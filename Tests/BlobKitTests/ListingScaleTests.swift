@testable import BlobKit
import Foundation
import XCTest

#if canImport(Glibc)
import Glibc
#endif

/// How long listing a namespace of many blobs takes. 2,000 blobs by
/// default; set BLOBKIT_SCALE=100000 to measure the 100k figure.
final class ListingScaleTests: StoreTestCase {
    func testListingManyBlobs() throws {
        let total = Int(ProcessInfo.processInfo.environment["BLOBKIT_SCALE"] ?? "") ?? 2_000
        let started = Date()
        let body = [UInt8](repeating: 0x5A, count: 64)
        for n in 0..<total {
            // Random-looking ids spread over the prefix directories, as uuids would.
            let blobID = String(UInt64(n).multipliedReportingOverflow(by: 0x9E37_79B9_7F4A_7C15).partialValue, radix: 16) + "-\(n)"
            try put(blobID, body)
            if n % 10 == 0 { try store.setFlags(["PENDING"], user: user, namespace: ns, id: id(blobID)) }
        }
        let created = Date().timeIntervalSince(started)
        func timed<T>(_ label: String, _ body: () throws -> T) rethrows -> T {
            let start = DispatchTime.now().uptimeNanoseconds
            let result = try body()
            let ms = Double(DispatchTime.now().uptimeNanoseconds - start) / 1e6
            print("BlobKit scale: \(label) of \(total) blobs: \(String(format: "%.1f", ms)) ms")
            return result
        }
        print("BlobKit scale: created \(total) blobs in \(String(format: "%.1f", created)) s")
        XCTAssertEqual(try timed("list") { try list() }.count, total)
        XCTAssertEqual(try timed("list order_by=date") { try list(order: .dateDescending) }.count, total)
        XCTAssertEqual(try timed("list filter_flag=PENDING") { try list(flag: "PENDING") }.count, (total + 9) / 10)
        XCTAssertEqual(try timed("count") { try store.count(user: user, namespace: ns) }, total)
        XCTAssertEqual(try timed("usedBytes (quota walk)") { try store.usedBytes(user) }, total * 64)
    }
}
