import XCTest
@testable import HTTP1

/// The chunked writer: size lines in lower-case hex, and a body written
/// with it reads back whole through our own response parser; without the
/// last chunk the parser reports the body cut short.
final class ChunkedCodingTests: XCTestCase {
    func testChunkHeaderIsTheSizeInHex() {
        for (size, line) in [(1, "1"), (15, "f"), (16, "10"), (65_536, "10000"), (0xABCDEF, "abcdef")] {
            var out: [UInt8] = []
            ChunkedCoding.appendChunkHeader(size: size, to: &out)
            XCTAssertEqual(String(decoding: out, as: UTF8.self), line + "\r\n")
        }
    }

    func testGeneratedChunkedFieldAndBodyParseBack() {
        let pieces = [Array("[\"a\"".utf8), [UInt8](repeating: 0x41, count: 70_000), Array("]".utf8)]
        var out: [UInt8] = []
        ResponseHead(status: 200).serialize(into: &out, adding: GeneratedFields(chunked: true))
        XCTAssertTrue(String(decoding: out, as: UTF8.self).hasSuffix("\r\nTransfer-Encoding: chunked\r\n\r\n"))
        for piece in pieces {
            ChunkedCoding.appendChunkHeader(size: piece.count, to: &out)
            out += piece + ChunkedCoding.chunkEnd
        }
        let (body, ended) = parse(out + ChunkedCoding.lastChunk)
        XCTAssertTrue(ended)
        XCTAssertEqual(body, pieces.flatMap { $0 })
        let (_, cutShortEnded) = parse(out)
        XCTAssertFalse(cutShortEnded, "no last chunk: the body did not end")
    }

    private func parse(_ bytes: [UInt8]) -> (body: [UInt8], ended: Bool) {
        var parser = ResponseParser()
        parser.expectResponse(toHead: false)
        var body: [UInt8] = []
        var offset = 0
        while true {
            let (event, consumed) = bytes.withUnsafeBytes { parser.next(UnsafeRawBufferPointer(rebasing: $0[offset...])) }
            offset += consumed
            switch event {
            case .body(let piece): body += piece
            case .end: return (body, true)
            case .needMore where consumed == 0:
                if case .end? = parser.finish() { return (body, true) }
                return (body, false)
            case .error: return (body, false)
            default: continue
            }
        }
    }
}
