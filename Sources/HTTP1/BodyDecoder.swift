#if canImport(Glibc)
import Glibc
#endif

/// Delimits a body as its framing says and yields its bytes as they come:
/// Content-Length counting, or the chunked coding (sizes, extensions,
/// trailers) with every bound checked.
struct BodyDecoder {
    enum Step {
        /// `consumed` bytes were used; `data` (possibly empty) is body bytes within them.
        case data(UnsafeRawBufferPointer, consumed: Int)
        case end(consumed: Int)
        case needMore
        case failed(HTTPParseError)
    }

    private enum State {
        case length(remaining: Int)
        case untilClose
        case chunkSize
        case chunkData(remaining: Int)
        case chunkDataEnd
        case trailers(bytesSeen: Int)
        case done
    }

    private var state: State
    private var bodyBytes = 0
    private let limits: HTTPLimits

    init(framing: BodyFraming, limits: HTTPLimits) {
        self.limits = limits
        switch framing {
        case .none: state = .done
        case .length(let length): state = .length(remaining: length)
        case .chunked: state = .chunkSize
        case .untilClose: state = .untilClose
        }
    }

    var isUntilClose: Bool {
        if case .untilClose = state { return true }
        return false
    }

    /// What a parser reports of a body: bytes, its end, a wait for more
    /// input, or an error.
    enum Outcome {
        case bytes(UnsafeRawBufferPointer, consumed: Int)
        case end(consumed: Int)
        case needMore(consumed: Int)
        case failed(HTTPParseError)
    }

    /// Steps past framing (chunk sizes, CRLFs, trailers) until there are
    /// body bytes to report, the end, or no more input.
    mutating func next(_ input: UnsafeRawBufferPointer) -> Outcome {
        var consumed = 0
        while true {
            switch step(UnsafeRawBufferPointer(rebasing: input[consumed...])) {
            case .data(let bytes, let used):
                consumed += used
                if !bytes.isEmpty { return .bytes(bytes, consumed: consumed) }
            case .end(let used):
                return .end(consumed: consumed + used)
            case .needMore:
                return .needMore(consumed: consumed)
            case .failed(let error):
                return .failed(error)
            }
        }
    }

    mutating func step(_ input: UnsafeRawBufferPointer) -> Step {
        switch state {
        case .done:
            return .end(consumed: 0)
        case .length(let remaining):
            if remaining == 0 { state = .done; return .end(consumed: 0) }
            guard !input.isEmpty else { return .needMore }
            let take = min(remaining, input.count)
            state = take == remaining ? .done : .length(remaining: remaining - take)
            return .data(UnsafeRawBufferPointer(rebasing: input[0..<take]), consumed: take)
        case .untilClose:
            guard !input.isEmpty else { return .needMore }
            return .data(input, consumed: input.count)
        case .chunkSize:
            return chunkSizeLine(input)
        case .chunkData(let remaining):
            guard !input.isEmpty else { return .needMore }
            let take = min(remaining, input.count)
            state = take == remaining ? .chunkDataEnd : .chunkData(remaining: remaining - take)
            return .data(UnsafeRawBufferPointer(rebasing: input[0..<take]), consumed: take)
        case .chunkDataEnd:
            guard input.count >= 2 else {
                if input.count == 1 && input[0] != ASCII.cr { return .failed(.badChunk) }
                return .needMore
            }
            guard input[0] == ASCII.cr && input[1] == ASCII.lf else { return .failed(.badChunk) }
            state = .chunkSize
            return .data(UnsafeRawBufferPointer(rebasing: input[0..<0]), consumed: 2)
        case .trailers(let seen):
            return trailerLine(input, bytesSeen: seen)
        }
    }

    private mutating func chunkSizeLine(_ input: UnsafeRawBufferPointer) -> Step {
        guard let line = Self.line(in: input, limit: limits.maxChunkLine) else {
            return input.count - 1 > limits.maxChunkLine ? .failed(.badChunk) : .needMore
        }
        guard let lineEnd = line else { return .failed(.badChunk) }
        var index = 0
        var size = 0
        while index < lineEnd, let digit = ASCII.hexValue(input[index]) {
            if size > (Int.max >> 4) { return .failed(.chunkSizeOverflow) }
            size = size << 4 | digit
            index += 1
        }
        guard index > 0 else { return .failed(.badChunk) }
        guard Self.validExtensions(input, from: index, to: lineEnd) else { return .failed(.badChunk) }
        if size > limits.maxBodyBytes - bodyBytes { return .failed(.bodyTooLarge) }
        bodyBytes += size
        state = size == 0 ? .trailers(bytesSeen: 0) : .chunkData(remaining: size)
        return .data(UnsafeRawBufferPointer(rebasing: input[0..<0]), consumed: lineEnd + 2)
    }

    private mutating func trailerLine(_ input: UnsafeRawBufferPointer, bytesSeen: Int) -> Step {
        guard let line = Self.line(in: input, limit: limits.maxHeadBytes - bytesSeen) else {
            return input.count - 1 > limits.maxHeadBytes - bytesSeen ? .failed(.headTooLarge) : .needMore
        }
        guard let lineEnd = line else { return .failed(.badChunk) }
        if lineEnd == 0 {
            state = .done
            return .end(consumed: 2)
        }
        // Trailer fields are checked like header fields, then dropped.
        var padded = Array(input[0..<(lineEnd + 2)])
        padded.append(contentsOf: [ASCII.cr, ASCII.lf])  // parseFields wants a whole head
        let result = padded.withUnsafeBytes { HeadScanner.parseFields($0, from: 0, maxCount: 1) }
        if case .failure(let error) = result { return .failed(error) }
        state = .trailers(bytesSeen: bytesSeen + lineEnd + 2)
        return .data(UnsafeRawBufferPointer(rebasing: input[0..<0]), consumed: lineEnd + 2)
    }

    /// Finds a line of at most `limit` bytes and its CRLF: nil when more
    /// input is needed, `.some(nil)` when a bare LF or CR makes it malformed,
    /// else the offset of its CR. The line is too long when `input` holds
    /// more than `limit + 1` bytes (a line and a CR) and nil is returned;
    /// the callers test that, so a line split anywhere meets the same bound.
    private static func line(in input: UnsafeRawBufferPointer, limit: Int) -> Int?? {
        guard let base = input.baseAddress else { return nil }
        let window = limit >= input.count - 2 ? input.count : max(limit + 2, 0)
        guard let found = memchr(base, Int32(ASCII.lf), window) else { return nil }
        let lf = base.distance(to: UnsafeRawPointer(found))
        guard lf > 0, input[lf - 1] == ASCII.cr else { return .some(nil) }
        return .some(lf - 1)
    }

    /// chunk-ext = *( BWS ";" BWS name [ BWS "=" BWS ( token / quoted-string ) ] )
    private static func validExtensions(_ input: UnsafeRawBufferPointer, from start: Int, to end: Int) -> Bool {
        var index = start
        func skipWhitespace() {
            while index < end && (input[index] == ASCII.space || input[index] == ASCII.tab) { index += 1 }
        }
        func token() -> Bool {
            let begin = index
            while index < end && ASCII.isToken(input[index]) { index += 1 }
            return index > begin
        }
        while true {
            skipWhitespace()
            if index == end { return true }
            guard input[index] == 0x3B else { return false }  // ';'
            index += 1
            skipWhitespace()
            guard token() else { return false }
            skipWhitespace()
            if index < end && input[index] == 0x3D {  // '='
                index += 1
                skipWhitespace()
                if index < end && input[index] == 0x22 {  // quoted-string
                    index += 1
                    var closed = false
                    while index < end {
                        let byte = input[index]
                        if byte == 0x22 { closed = true; index += 1; break }
                        if byte == 0x5C { index += 1 }  // quoted-pair
                        else if !ASCII.isFieldValue(byte) { return false }
                        index += 1
                    }
                    guard closed else { return false }
                } else if !token() {
                    return false
                }
            }
        }
    }
}
