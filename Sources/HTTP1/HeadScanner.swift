#if canImport(Glibc)
import Glibc
#endif

/// Finds where a message head ends and parses its field lines, strictly:
/// every line ends in CRLF, no obsolete folding, no whitespace before a
/// colon, no control bytes in values. Shared by both parsers.
struct HeadScanner {
    enum Scan {
        case needMore
        /// The head is `input[0..<length]`, its last CRLFCRLF included.
        case complete(length: Int)
        case failed(HTTPParseError)
    }

    /// Where the next scan resumes, so a head arriving byte by byte is
    /// scanned once, not once per byte.
    private var resumeOffset = 0

    mutating func reset() { resumeOffset = 0 }

    /// Looks for the empty line that ends the head. `firstLineLimit` bounds
    /// the first line without its CRLF (its error is `firstLineError`),
    /// `headLimit` the whole head with its final CRLF.
    ///
    /// The bounds are checked before a line's ending, in the same order on a
    /// partial line as on a whole one, so the error does not depend on how
    /// the bytes were split: a partial line's bytes may still end in a CR.
    mutating func scan(
        _ input: UnsafeRawBufferPointer, firstLineLimit: Int, firstLineError: HTTPParseError, headLimit: Int
    ) -> Scan {
        guard let base = input.baseAddress else { return .needMore }
        var lineStart = resumeOffset
        while lineStart < input.count {
            let remaining = input.count - lineStart
            guard let found = memchr(base + lineStart, Int32(ASCII.lf), remaining) else {
                resumeOffset = lineStart
                if lineStart == 0 && input.count - 1 > firstLineLimit { return .failed(firstLineError) }
                if input.count > headLimit { return .failed(.headTooLarge) }
                return .needMore
            }
            let lf = base.distance(to: UnsafeRawPointer(found))
            if lineStart == 0 && lf - 1 > firstLineLimit { return .failed(firstLineError) }
            if lf + 1 > headLimit { return .failed(.headTooLarge) }
            if lf == 0 || input[lf - 1] != ASCII.cr { return .failed(.bareCarriageReturn) }
            if lf == lineStart + 1 && lineStart > 0 {
                resumeOffset = 0
                return .complete(length: lf + 1)
            }
            lineStart = lf + 1
        }
        resumeOffset = lineStart
        return .needMore
    }

    /// Parses the field lines in `head[from..<head.count - 2]` (the head's
    /// bytes after its first line) into spans over `head`.
    static func parseFields(
        _ head: UnsafeRawBufferPointer, from start: Int, maxCount: Int
    ) -> Result<[HTTPHeaders.Span], HTTPParseError> {
        var summary = FieldSummary()
        return parseFields(head, from: start, maxCount: maxCount, summary: &summary)
    }

    /// The same, also counting the fields that decide framing and
    /// connection handling, so the parsers need no further scans.
    static func parseFields(
        _ head: UnsafeRawBufferPointer, from start: Int, maxCount: Int, summary: inout FieldSummary
    ) -> Result<[HTTPHeaders.Span], HTTPParseError> {
        var spans: [HTTPHeaders.Span] = []
        spans.reserveCapacity(8)
        let end = head.count - 2  // the final empty line's CRLF
        var lineStart = start
        while lineStart < end {
            // Every line ends in CRLF: scan returned only complete heads.
            var lineEnd = lineStart
            while head[lineEnd] != ASCII.cr || head[lineEnd + 1] != ASCII.lf { lineEnd += 1 }
            let first = head[lineStart]
            if first == ASCII.space || first == ASCII.tab { return .failure(.obsoleteLineFolding) }
            var colon = lineStart
            while colon < lineEnd && ASCII.isToken(head[colon]) { colon += 1 }
            guard colon < lineEnd, colon > lineStart else { return .failure(.badHeaderField) }
            let separator = head[colon]
            if separator == ASCII.space || separator == ASCII.tab { return .failure(.spaceBeforeColon) }
            guard separator == ASCII.colon else { return .failure(.badHeaderField) }
            var valueStart = colon + 1
            var valueEnd = lineEnd
            var index = valueStart
            while index < lineEnd {
                let byte = head[index]
                if !ASCII.isFieldValue(byte) {
                    return .failure(byte == ASCII.cr || byte == ASCII.lf ? .bareCarriageReturn : .badHeaderField)
                }
                index += 1
            }
            while valueStart < valueEnd && (head[valueStart] == ASCII.space || head[valueStart] == ASCII.tab) {
                valueStart += 1
            }
            while valueEnd > valueStart && (head[valueEnd - 1] == ASCII.space || head[valueEnd - 1] == ASCII.tab) {
                valueEnd -= 1
            }
            if spans.count == maxCount { return .failure(.tooManyHeaders) }
            summary.note(UnsafeRawBufferPointer(rebasing: head[lineStart..<colon]), at: spans.count)
            spans.append(HTTPHeaders.Span(
                nameStart: Int32(lineStart), nameEnd: Int32(colon),
                valueStart: Int32(valueStart), valueEnd: Int32(valueEnd)))
            lineStart = lineEnd + 2
        }
        return .success(spans)
    }
}

/// How many times the fields that matter to the codec itself occur.
struct FieldSummary {
    var host = 0
    var contentLength = 0
    var transferEncoding = 0
    var connection = 0
    var expect = 0
    /// Which field is the first Content-Length, so framing reads its value
    /// without looking for it again.
    var firstContentLength = -1

    /// `name` is that of the field with index `index`.
    @inline(__always)
    mutating func note(_ name: UnsafeRawBufferPointer, at index: Int) {
        switch name.count {
        case 4 where Self.equals(name, "host"): host += 1
        case 6 where Self.equals(name, "expect"): expect += 1
        case 10 where Self.equals(name, "connection"): connection += 1
        case 14 where Self.equals(name, "content-length"):
            if contentLength == 0 { firstContentLength = index }
            contentLength += 1
        case 17 where Self.equals(name, "transfer-encoding"): transferEncoding += 1
        default: break
        }
    }

    /// Case-insensitive comparison with a lower-case name of the same length.
    @inline(__always)
    static func equals(_ bytes: UnsafeRawBufferPointer, _ lower: StaticString) -> Bool {
        let expected = lower.utf8Start
        for index in 0..<bytes.count where ASCII.lower(bytes[index]) != expected[index] { return false }
        return true
    }
}
