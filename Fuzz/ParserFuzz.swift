// libFuzzer entry point for the HTTP/1.1 codec. Built by scripts/fuzz.sh as
// one module with Sources/HTTP1/*.swift, so it uses the parsers directly.
//
// Each input is fed to RequestParser and ResponseParser, whole and in pieces
// (cut at points derived from the input), under default, small and
// unbounded limits. Any broken invariant stops the run with fatalError:
//   - `consumed` is never negative nor more than the input;
//   - body bytes lie inside the consumed prefix of the input;
//   - the parser makes progress (no endless zero-byte events);
//   - a body never exceeds maxBodyBytes (read-until-close excepted);
//   - an error is sticky: the next call repeats it and consumes nothing;
//   - whole and split runs give the same events (body bytes merged) and
//     the same answer from finish().

/// One event as compared between runs; bodies are merged, since how a body
/// is cut into events depends on how its bytes arrived.
enum FuzzEvent: Equatable {
    case head(String)
    case body([UInt8])
    case end
    case error(HTTPParseError)
    case finished(String)
}

/// What the driver needs of either parser.
protocol FuzzedParser {
    /// The event as a FuzzEvent (nil for needMore), the bytes consumed, and
    /// any body bytes, so their position can be checked.
    mutating func step(_ input: UnsafeRawBufferPointer) -> (FuzzEvent?, Int, UnsafeRawBufferPointer?)
    mutating func finishEvent() -> FuzzEvent
    /// Whether a body of `count` bytes so far is within what the head allowed.
    func bodyAllowed(_ count: Int, limits: HTTPLimits) -> Bool
}

struct FuzzedRequestParser: FuzzedParser {
    var parser: RequestParser

    mutating func step(_ input: UnsafeRawBufferPointer) -> (FuzzEvent?, Int, UnsafeRawBufferPointer?) {
        let (event, consumed) = parser.next(input)
        switch event {
        case .head(let head):
            if case .length(let length) = head.framing, length > parser.limits.maxBodyBytes || length <= 0 {
                fatalError("request head with framing \(head.framing) under maxBodyBytes \(parser.limits.maxBodyBytes)")
            }
            let fields = head.headers.map { "\($0.name): \($0.value)" }.joined(separator: "|")
            return (.head("\(head.method) \(head.target) \(head.version.text) [\(fields)] \(head.framing) "
                          + "\(head.keepAlive) \(head.expectsContinue)"), consumed, nil)
        case .body(let bytes): return (.body(Array(bytes)), consumed, bytes)
        case .end: return (.end, consumed, nil)
        case .error(let error): return (.error(error), consumed, nil)
        case .needMore: return (nil, consumed, nil)
        }
    }

    mutating func finishEvent() -> FuzzEvent {
        switch parser.finish() {
        case nil: return .finished("nil")
        case .error(let error)?: return .finished("error \(error)")
        case .end?: return .finished("end")
        case let other?: fatalError("RequestParser.finish gave \(other)")
        }
    }

    func bodyAllowed(_ count: Int, limits: HTTPLimits) -> Bool { count <= limits.maxBodyBytes }
}

struct FuzzedResponseParser: FuzzedParser {
    var parser: ResponseParser
    var untilClose = false

    mutating func step(_ input: UnsafeRawBufferPointer) -> (FuzzEvent?, Int, UnsafeRawBufferPointer?) {
        let (event, consumed) = parser.next(input)
        switch event {
        case .head(let head):
            if case .length(let length) = head.framing, length > parser.limits.maxBodyBytes || length <= 0 {
                fatalError("response head with framing \(head.framing) under maxBodyBytes \(parser.limits.maxBodyBytes)")
            }
            if head.status < 100 || head.status > 999 { fatalError("status \(head.status)") }
            untilClose = head.framing == .untilClose
            let fields = head.headers.map { "\($0.name): \($0.value)" }.joined(separator: "|")
            return (.head("\(head.version.text) \(head.status) \(head.reason) [\(fields)] \(head.framing) "
                          + "\(head.keepAlive)"), consumed, nil)
        case .body(let bytes): return (.body(Array(bytes)), consumed, bytes)
        case .end: return (.end, consumed, nil)
        case .error(let error): return (.error(error), consumed, nil)
        case .needMore: return (nil, consumed, nil)
        }
    }

    mutating func finishEvent() -> FuzzEvent {
        switch parser.finish() {
        case nil: return .finished("nil")
        case .error(let error)?: return .finished("error \(error)")
        case .end?: return .finished("end")
        case let other?: fatalError("ResponseParser.finish gave \(other)")
        }
    }

    func bodyAllowed(_ count: Int, limits: HTTPLimits) -> Bool { untilClose || count <= limits.maxBodyBytes }
}

enum ParserFuzz {
    static let small = HTTPLimits(maxRequestLine: 24, maxHeadBytes: 96, maxHeaderCount: 4, maxBodyBytes: 16,
                                  maxChunkLine: 8)
    static let unbounded = HTTPLimits(maxRequestLine: .max, maxHeadBytes: .max, maxHeaderCount: .max,
                                      maxBodyBytes: .max, maxChunkLine: .max)

    static func check(_ data: [UInt8]) {
        // FNV-1a: split points and options that follow the input.
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in data { hash = (hash ^ UInt64(byte)) &* 0x100_0000_01b3 }
        let size = data.count
        let first = Int(hash % UInt64(size + 1))
        let second = Int((hash >> 21) % UInt64(size + 1))
        let toHead = (hash >> 63) == 1
        var splits: [[Int]] = [[first], [first, second]]
        if size <= 128 { splits.append(Array(0...size)) }

        for limits in [HTTPLimits.default, small, unbounded] {
            compare(data, splits: splits, limits: limits) { FuzzedRequestParser(parser: RequestParser(limits: limits)) }
            compare(data, splits: splits, limits: limits) {
                var parser = ResponseParser(limits: limits)
                parser.expectResponse(toHead: toHead)
                return FuzzedResponseParser(parser: parser)
            }
        }
    }

    static func compare<P: FuzzedParser>(_ data: [UInt8], splits: [[Int]], limits: HTTPLimits, make: () -> P) {
        let whole = run(data, cuts: [], limits: limits, parser: make())
        for cuts in splits {
            let parts = run(data, cuts: cuts, limits: limits, parser: make())
            if parts != whole {
                fatalError("\(P.self) split at \(cuts.prefix(4)) gives \(parts), whole gives \(whole)")
            }
        }
    }

    /// Feeds `data` cut at `cuts`, as a connection would: appends each piece,
    /// calls until needMore, drops what was consumed.
    static func run<P: FuzzedParser>(_ data: [UInt8], cuts: [Int], limits: HTTPLimits, parser: P) -> [FuzzEvent] {
        var parser = parser
        var ends = Set(cuts.filter { $0 > 0 && $0 < data.count }).sorted()
        ends.append(data.count)
        var events: [FuzzEvent] = []
        var buffer: [UInt8] = []
        buffer.reserveCapacity(data.count)
        var start = 0
        var calls = 0
        var bodyCount = 0
        for end in ends {
            buffer.append(contentsOf: data[start..<end])
            start = end
            while true {
                calls += 1
                if calls > 4 * data.count + 64 { fatalError("\(P.self) makes no progress") }
                let (event, consumed) = buffer.withUnsafeBytes { input -> (FuzzEvent?, Int) in
                    let (event, consumed, body) = parser.step(input)
                    if consumed < 0 || consumed > input.count {
                        fatalError("\(P.self) consumed \(consumed) of \(input.count)")
                    }
                    if let body {
                        if body.isEmpty { fatalError("\(P.self) gave an empty body event") }
                        let offset = input.baseAddress!.distance(to: body.baseAddress!)
                        if offset < 0 || offset + body.count > consumed {
                            fatalError("\(P.self) body bytes at \(offset)+\(body.count) outside consumed \(consumed)")
                        }
                    }
                    if case .error(let error)? = event {
                        if consumed != 0 { fatalError("\(P.self) error consumed \(consumed)") }
                        let (again, used, _) = parser.step(input)
                        if again != .error(error) || used != 0 { fatalError("\(P.self) error is not sticky") }
                    }
                    return (event, consumed)
                }
                buffer.removeFirst(consumed)
                guard let event else { break }
                switch event {
                case .head:
                    if consumed == 0 { fatalError("\(P.self) head consumed nothing") }
                    bodyCount = 0
                case .body(let bytes):
                    bodyCount += bytes.count
                    if !parser.bodyAllowed(bodyCount, limits: limits) {
                        fatalError("\(P.self) body of \(bodyCount) bytes over maxBodyBytes \(limits.maxBodyBytes)")
                    }
                case .end:
                    bodyCount = 0
                default:
                    break
                }
                if case .body(let more) = event, case .body(let earlier)? = events.last {
                    events[events.count - 1] = .body(earlier + more)
                } else {
                    events.append(event)
                }
                if case .error = event {
                    events.append(parser.finishEvent())
                    return events
                }
            }
        }
        events.append(parser.finishEvent())
        return events
    }
}

@_cdecl("LLVMFuzzerTestOneInput")
public func LLVMFuzzerTestOneInput(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    let bytes = size > 0 && data != nil ? Array(UnsafeBufferPointer(start: data, count: size)) : []
    ParserFuzz.check(bytes)
    return 0
}
