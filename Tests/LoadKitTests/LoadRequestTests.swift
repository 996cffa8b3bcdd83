@testable import LoadKit
import XCTest

/// Each action's requests, byte for byte: what goes on the wire is what
/// API.md's endpoints expect.
final class LoadRequestTests: XCTestCase {
    private let blob: [UInt8] = Array("Labc-1 payload".utf8)

    private func request(_ kind: RequestKind, close: Bool = false) -> LoadRequest {
        LoadRequest(kind: kind, user: "alice", blobID: "Labc-1", blob: blob, host: "127.0.0.1:8000", close: close)
    }

    private func head(_ request: LoadRequest) -> String { String(decoding: request.head, as: UTF8.self) }

    func testBaselineAndListAreBodilessGets() {
        XCTAssertEqual(head(request(.baseline)), "GET / HTTP/1.1\r\nHost: 127.0.0.1:8000\r\n\r\n")
        XCTAssertEqual(head(request(.list)), "GET /blobs/alice/ HTTP/1.1\r\nHost: 127.0.0.1:8000\r\n\r\n")
        XCTAssertNil(request(.baseline).body)
        XCTAssertNil(request(.list).expectedBody)
    }

    func testPutCarriesTheBlobAndGetExpectsIt() {
        let put = request(.put)
        XCTAssertEqual(head(put), "PUT /blobs/alice/Labc-1 HTTP/1.1\r\nHost: 127.0.0.1:8000\r\nContent-Length: \(blob.count)\r\n\r\n")
        XCTAssertEqual(put.body, blob)
        XCTAssertNil(put.expectedBody)
        let get = request(.get)
        XCTAssertEqual(head(get), "GET /blobs/alice/Labc-1 HTTP/1.1\r\nHost: 127.0.0.1:8000\r\n\r\n")
        XCTAssertNil(get.body)
        XCTAssertEqual(get.expectedBody, blob)
    }

    func testFlagPostsProcessingAndDeleteIsBodiless() {
        let flag = request(.flag)
        XCTAssertEqual(flag.method, .POST)
        XCTAssertEqual(flag.path, "/blobs/alice/Labc-1")
        XCTAssertEqual(flag.body.map { String(decoding: $0, as: UTF8.self) }, #"["PROCESSING"]"#)
        XCTAssertTrue(head(flag).contains("Content-Length: 14\r\n"))
        let delete = request(.delete)
        XCTAssertEqual(head(delete), "DELETE /blobs/alice/Labc-1 HTTP/1.1\r\nHost: 127.0.0.1:8000\r\n\r\n")
    }

    func testANewConnectionPerRequestAsksTheServerToClose() {
        for kind in RequestKind.allCases {
            XCTAssertTrue(head(request(kind, close: true)).hasSuffix("Connection: close\r\n\r\n"), "\(kind)")
            XCTAssertFalse(head(request(kind)).contains("Connection"), "\(kind)")
        }
    }

    func testEverySuccessIsThe200APIMdPromises() {
        XCTAssertTrue(RequestKind.allCases.allSatisfy { $0.expectedStatus == 200 })
    }

    func testBlobsAreDistinctAndStampedWithTheirID() {
        let payload = BlobPayload(size: 64)
        let one = payload.bytes(for: "Lx-1"), two = payload.bytes(for: "Lx-2")
        XCTAssertEqual(one.count, 64)
        XCTAssertNotEqual(one, two)
        XCTAssertEqual(Array(one.prefix(4)), Array("Lx-1".utf8))
        XCTAssertEqual(one.dropFirst(4), two.dropFirst(4), "one random payload per run")
        XCTAssertEqual(BlobPayload(size: 2).bytes(for: "Lx-1"), Array("Lx".utf8))
        XCTAssertEqual(BlobPayload(size: 0).bytes(for: "Lx-1"), [])
    }
}
