@testable import BalancerKit
import EventCore
import HTTP1
import XCTest

/// Heads as http mode rewrites them, chunk framing, and the retry rule.
final class ForwardedHeadTests: XCTestCase {
    private let backend = SocketAddress(host: "127.0.0.1", port: 8001)

    private func response(_ fields: [(String, String)], status: Int = 200, framing: BodyFraming,
                          keepAlive: Bool = true, version: HTTPVersion = .http11,
                          backend: [UInt8]? = Array("127.0.0.1:8001".utf8)) -> String {
        var head = ResponseHead(status: status, headers: HTTPHeaders(fields))
        head.framing = framing
        let bytes = ForwardedHead.response(head, backend: backend, keepAlive: keepAlive, clientVersion: version)
        return String(decoding: bytes, as: UTF8.self)
    }

    func testResponseDropsHopByHopAndNamesItsBackend() {
        let text = response([("Server", "nginx"), ("Connection", "keep-alive, X-Private"), ("Keep-Alive", "timeout=5"),
                             ("X-Private", "1"), ("Upgrade", "h2c"), ("Trailer", "x"), ("Content-Length", "12"),
                             ("ETag", "\"a\"")], framing: .length(12))
        XCTAssertEqual(text, "HTTP/1.1 200 OK\r\nServer: nginx\r\nETag: \"a\"\r\nContent-Length: 12\r\n"
                       + "X-Backend: 127.0.0.1:8001\r\n\r\n")
    }

    func testResponseNamesNoBackendUnlessAsked() {
        XCTAssertEqual(response([("Server", "blob-server")], framing: .length(0), backend: nil),
                       "HTTP/1.1 200 OK\r\nServer: blob-server\r\nContent-Length: 0\r\n\r\n")
    }

    func testResponseConnectionHeaderFollowsTheClientSide() {
        XCTAssertTrue(response([], framing: .length(0), keepAlive: false).contains("\r\nConnection: close\r\n"))
        XCTAssertTrue(response([], framing: .length(0), version: .http10).contains("\r\nConnection: keep-alive\r\n"))
        XCTAssertFalse(response([], framing: .length(0)).contains("Connection:"))
    }

    func testChunkedAndBodilessResponses() {
        let chunked = response([("Transfer-Encoding", "chunked")], framing: .chunked)
        XCTAssertEqual(chunked.components(separatedBy: "Transfer-Encoding: chunked").count, 2, "exactly once")
        let toHead = response([("Content-Length", "4096")], framing: .none)
        XCTAssertTrue(toHead.contains("Content-Length: 4096\r\n"), "a HEAD answer keeps its announced length")
        XCTAssertFalse(response([], status: 304, framing: .none).contains("Content-Length"))
    }

    func testRequestKeepsEarlierForwardedForInOrderAndRewritesFraming() {
        let head = RequestHead(method: .POST, target: "/stream/u?direction=upload", headers: HTTPHeaders([
            ("X-Forwarded-For", "10.0.0.1"), ("TE", "trailers"), ("Proxy-Connection", "keep-alive"),
            ("X-Forwarded-For", "10.0.0.2"), ("Transfer-Encoding", "chunked"), ("Expect", "100-continue"),
            ("Idempotency-Key", "\"k1\""),
        ]), framing: .chunked)
        let text = String(decoding: ForwardedHead.request(head, clientAddress: "127.0.0.9", backend: backend), as: UTF8.self)
        XCTAssertEqual(text, "POST /stream/u?direction=upload HTTP/1.1\r\nIdempotency-Key: \"k1\"\r\nHost: 127.0.0.1:8001\r\n"
                       + "X-Forwarded-For: 10.0.0.1, 10.0.0.2, 127.0.0.9\r\nTransfer-Encoding: chunked\r\n\r\n")
    }

    /// Writing requests without a key get one, each its own, so a retry
    /// (the same bytes sent again) carries the key of the first attempt; a
    /// client's key is kept as it is, and reads get none.
    func testWritingRequestsWithoutAKeyGetAFreshOne() {
        let keys = IdempotencyKeySource()
        func written(_ method: HTTPMethod, _ fields: [(String, String)] = [("Host", "h")]) -> String {
            var bytes: [UInt8] = [], scratch = HTTPHeaders()
            ForwardedHead.writeRequest(RequestHead(method: method, target: "/blobs/u/b", headers: HTTPHeaders(fields)),
                                       clientAddress: Array("127.0.0.9".utf8), backend: backend, keys: keys,
                                       fields: &scratch, into: &bytes)
            return String(decoding: bytes, as: UTF8.self)
        }
        func key(_ text: String) -> String? {
            text.components(separatedBy: "\r\n").first { $0.hasPrefix("Idempotency-Key: ") }.map { String($0.dropFirst(17)) }
        }
        let put = key(written(.PUT)), delete = key(written(.DELETE)), post = key(written(.POST))
        XCTAssertNotNil(put)
        XCTAssertTrue(put?.hasPrefix("\"") == true && put?.hasSuffix("\"") == true, "a quoted string, as the draft writes it")
        XCTAssertEqual(Set([put, delete, post].compactMap { $0 }).count, 3, "each request its own key")
        XCTAssertNil(key(written(.GET)))
        XCTAssertNil(key(written(.HEAD)))
        XCTAssertEqual(key(written(.PUT, [("Host", "h"), ("idempotency-key", "mine")])), nil, "only the client's field")
        XCTAssertTrue(written(.PUT, [("Host", "h"), ("idempotency-key", "mine")]).contains("idempotency-key: mine\r\n"))
        var first: [UInt8] = [], other: [UInt8] = []
        IdempotencyKeySource().appendNext(to: &first)
        IdempotencyKeySource().appendNext(to: &other)
        XCTAssertNotEqual(first, other, "another balancer (or a restart), another prefix")
    }

    func testAHugeConnectionHeaderCostsLinearTimeAndDropsWhatItNames() {
        // 32 KiB of tokens: repeated ones, and many distinct ones naming fields.
        let tokens = String(repeating: "a,", count: 12_000) + (0..<1_000).map { "X-N\($0)" }.joined(separator: ",")
        var fields = [("Host", "h"), ("Connection", tokens)]
        for index in stride(from: 0, to: 96, by: 2) { fields += [("X-N\(index)", "named"), ("X-K\(index)", "kept")] }
        let head = RequestHead(method: .GET, target: "/", headers: HTTPHeaders(fields))
        let started = Date()
        let text = String(decoding: ForwardedHead.request(head, clientAddress: "127.0.0.9", backend: backend), as: UTF8.self)
        XCTAssertLessThan(Date().timeIntervalSince(started), 0.2, "the quadratic version took about a second")
        let kept = stride(from: 0, to: 96, by: 2).map { "X-K\($0): kept\r\n" }.joined()
        XCTAssertEqual(text, "GET / HTTP/1.1\r\nHost: h\r\n" + kept + "X-Forwarded-For: 127.0.0.9\r\n\r\n")
    }

    func testARequestWithoutHostGetsTheBackendsAddress() {
        let old = RequestHead(method: .GET, target: "/", version: .http10, headers: HTTPHeaders([("Accept", "*/*")]), keepAlive: false)
        XCTAssertEqual(String(decoding: ForwardedHead.request(old, clientAddress: "127.0.0.9", backend: backend), as: UTF8.self),
                       "GET / HTTP/1.1\r\nAccept: */*\r\nHost: 127.0.0.1:8001\r\nX-Forwarded-For: 127.0.0.9\r\n\r\n")
        let withHost = RequestHead(method: .GET, target: "/", version: .http10, headers: HTTPHeaders([("host", "front")]))
        XCTAssertEqual(String(decoding: ForwardedHead.request(withHost, clientAddress: "127.0.0.9", backend: backend), as: UTF8.self),
                       "GET / HTTP/1.1\r\nhost: front\r\nX-Forwarded-For: 127.0.0.9\r\n\r\n", "the client's own Host is kept")
    }

    func testHopByHopLengthsMatchTheFastPath() {
        XCTAssertEqual(Set(ForwardedHead.hopByHop.map(\.count)), [2, 6, 7, 10, 14, 16, 17])
    }

    func testChunkAndDecimalWriters() {
        var bytes: [UInt8] = []
        Array("hello".utf8).withUnsafeBytes { ForwardedHead.appendChunk($0, to: &bytes) }
        [UInt8](repeating: 0x61, count: 0x1A0).withUnsafeBytes { ForwardedHead.appendChunk($0, to: &bytes) }
        let text = String(decoding: bytes, as: UTF8.self)
        XCTAssertTrue(text.hasPrefix("5\r\nhello\r\n1a0\r\naaa"))
        XCTAssertTrue(text.hasSuffix("aaa\r\n"))
        for value in [0, 7, 10, 99, 100, 12345, 209_715_200] {
            var decimal: [UInt8] = []
            ForwardedHead.appendDecimal(value, to: &decimal)
            XCTAssertEqual(String(decoding: decimal, as: UTF8.self), String(value))
        }
    }

    func testRetryRule() {
        let get = HTTPExchange(head: RequestHead(method: .GET, target: "/", headers: HTTPHeaders(), framing: .none), startedAt: 0)
        let post = HTTPExchange(head: RequestHead(method: .POST, target: "/", headers: HTTPHeaders(), framing: .length(3)), startedAt: 0)
        XCTAssertTrue(get.mayRetry(beforeAnyByte: true, reusedConnection: false, replayValid: true))
        XCTAssertFalse(get.mayRetry(beforeAnyByte: false, reusedConnection: true, replayValid: true), "an answer began")
        XCTAssertFalse(get.mayRetry(beforeAnyByte: true, reusedConnection: true, replayValid: false), "body bytes are gone")
        XCTAssertTrue(post.mayRetry(beforeAnyByte: true, reusedConnection: true, replayValid: true), "stale kept-alive connection")
        XCTAssertFalse(post.mayRetry(beforeAnyByte: true, reusedConnection: false, replayValid: true), "a fresh POST may have run")
    }
}
