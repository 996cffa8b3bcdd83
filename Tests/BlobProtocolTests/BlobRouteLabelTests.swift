import BlobProtocol
import XCTest

/// The metrics label of a path: its shape, as the router sees it (BlobRoute).
final class BlobRouteLabelTests: XCTestCase {
    func testEachShapeGetsItsLabel() {
        let table: [(String, BlobRouteLabel)] = [
            ("/", .baseline), ("/healthcheck", .healthcheck), ("/metrics", .metrics),
            ("/blobs/alice/", .list), ("/blobs/alice/abc123", .blob), ("/blobs/al%2Fice/x", .blob),
            ("/blobs/alice", .list), ("/stream/alice", .stream), ("/stream/alice/", .stream),
            // Shapes the router takes and the names check then refuses (400).
            ("/blobs/", .list), ("/blobs//x", .blob), ("/stream/", .stream),
            ("/blobs/a/b/c", .other), ("/blobs/a/b/", .other), ("/stream/a/b", .other), ("/blob/a/b", .other), ("/healthcheckx", .other), ("", .other), ("/nope", .other),
        ]
        for (path, label) in table {
            var text = path
            let got = text.withUTF8 { BlobRouteLabel(path: UnsafeRawBufferPointer($0)) }
            XCTAssertEqual(got, label, path)
        }
    }

    func testATargetsQueryIsNotPartOfItsShape() {
        for (target, label) in [("/blobs/u/x?namespace=a/b", BlobRouteLabel.blob), ("/blobs/u/?x=1", .list), ("/?a", .baseline), ("?", .other)] {
            var text = target
            XCTAssertEqual(text.withUTF8 { BlobRouteLabel(target: UnsafeRawBufferPointer($0)) }, label, target)
        }
    }

    func testEveryLabelHasADistinctName() {
        XCTAssertEqual(Set(BlobRouteLabel.allCases.map(\.name)).count, BlobRouteLabel.allCases.count)
    }
}
