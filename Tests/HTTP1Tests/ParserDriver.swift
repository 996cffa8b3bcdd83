import XCTest
@testable import HTTP1

/// Drives a parser the way a connection does: bytes arrive in pieces, the
/// consumed prefix is dropped, and the parser is called until it needs more.
/// Checks on every call that `consumed` stays within the input, that body
/// bytes lie inside the consumed prefix, and that the parser makes progress.
struct ParserDriver {
    /// Cuts `bytes` at `splits` (offsets, any order, out-of-range ignored).
    static func pieces(_ bytes: [UInt8], splits: [Int]) -> [[UInt8]] {
        var cuts = Set(splits.filter { $0 > 0 && $0 < bytes.count }).sorted()
        cuts.append(bytes.count)
        var start = 0
        var result: [[UInt8]] = []
        for cut in cuts {
            result.append(Array(bytes[start..<cut]))
            start = cut
        }
        return result
    }

    static func requests(
        _ bytes: [UInt8], splits: [Int] = [], limits: HTTPLimits = .default, finish: Bool = false,
        file: StaticString = #filePath, line: UInt = #line
    ) -> [RequestEvent] {
        var parser = RequestParser(limits: limits)
        return run(pieces(bytes, splits: splits), finish: finish, file: file, line: line, next: { input in
            let (event, consumed) = parser.next(input)
            switch event {
            case .head(let head): return (.head(RequestSummary(head)), consumed, nil)
            case .body(let data): return (.body(Array(data)), consumed, data)
            case .end: return (.end, consumed, nil)
            case .error(let error): return (.error(error), consumed, nil)
            case .needMore: return (nil, consumed, nil)
            }
        }, finishParser: {
            switch parser.finish() {
            case .error(let error)?: return .error(error)
            case .end?: return .end
            case nil, .needMore?: return nil
            case .head?, .body?: return nil
            }
        })
    }

    static func responses(
        _ bytes: [UInt8], splits: [Int] = [], limits: HTTPLimits = .default, toHead: Bool = false,
        finish: Bool = false, file: StaticString = #filePath, line: UInt = #line
    ) -> [ResponseEvent] {
        var parser = ResponseParser(limits: limits)
        parser.expectResponse(toHead: toHead)
        return run(pieces(bytes, splits: splits), finish: finish, file: file, line: line, next: { input in
            let (event, consumed) = parser.next(input)
            switch event {
            case .head(let head): return (.head(ResponseSummary(head)), consumed, nil)
            case .body(let data): return (.body(Array(data)), consumed, data)
            case .end: return (.end, consumed, nil)
            case .error(let error): return (.error(error), consumed, nil)
            case .needMore: return (nil, consumed, nil)
            }
        }, finishParser: {
            switch parser.finish() {
            case .error(let error)?: return .error(error)
            case .end?: return .end
            case nil, .needMore?: return nil
            case .head?, .body?: return nil
            }
        })
    }

    /// `next` returns the event (nil for needMore), the bytes consumed, and
    /// the body buffer so its position can be checked.
    private static func run<Head>(
        _ pieces: [[UInt8]], finish: Bool, file: StaticString, line: UInt,
        next: (UnsafeRawBufferPointer) -> (Parsed<Head>?, Int, UnsafeRawBufferPointer?),
        finishParser: () -> Parsed<Head>?
    ) -> [Parsed<Head>] {
        var events: [Parsed<Head>] = []
        var buffer: [UInt8] = []
        var calls = 0
        for piece in pieces {
            buffer.append(contentsOf: piece)
            while true {
                calls += 1
                if calls > 100_000 {
                    XCTFail("parser makes no progress", file: file, line: line)
                    return events
                }
                let (event, consumed) = buffer.withUnsafeBytes { input -> (Parsed<Head>?, Int) in
                    let (event, consumed, body) = next(input)
                    XCTAssert(consumed >= 0 && consumed <= input.count,
                              "consumed \(consumed) of \(input.count)", file: file, line: line)
                    if let body, let base = input.baseAddress, let start = body.baseAddress {
                        let offset = base.distance(to: start)
                        XCTAssert(offset >= 0 && offset + body.count <= consumed,
                                  "body bytes outside the consumed prefix", file: file, line: line)
                    }
                    return (event, consumed)
                }
                buffer.removeFirst(min(max(consumed, 0), buffer.count))
                guard let event else { break }
                events.appendMerging(event)
                if case .error = event { return events }
                if case .head = event {
                    XCTAssert(consumed > 0, "a head consumed nothing", file: file, line: line)
                }
            }
        }
        if finish, let last = finishParser() { events.appendMerging(last) }
        return events
    }
}
