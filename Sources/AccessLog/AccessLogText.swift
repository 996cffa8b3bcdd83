/// The bytes of an access log line, written by hand into the batch (no
/// String formatting on the request path). Escaping is nginx's: `"`, `\`
/// and bytes below 0x20 or from 0x7f up become `\xHH`, so a line is
/// printable ASCII whatever a client sends, one line per request.
public enum AccessLogText {
    /// Longest escaped copy of one client-sent field (the request line, the
    /// Referer, the User-Agent): a hostile client cannot make lines huge.
    /// A field cut short ends in `...`.
    public static let fieldLimit = 2048

    /// Appends `bytes` escaped, at most `limit` bytes of output (`...`
    /// included when cut); an escape is never split.
    public static func appendEscaped(_ bytes: UnsafeRawBufferPointer, to line: inout [UInt8], limit: Int = fieldLimit) {
        var escapes = 0
        for byte in bytes where needsEscape(byte) { escapes += 1 }
        // The usual case, a clean field that fits: one copy.
        if escapes == 0 && bytes.count <= limit { return appendRaw(bytes, to: &line) }
        let cut = bytes.count + 3 * escapes > limit
        var room = cut ? max(0, limit - 3) : limit
        var run = 0  // start of the clean bytes not yet copied
        var index = 0
        while index < bytes.count {
            let byte = bytes[index]
            let width = needsEscape(byte) ? 4 : 1
            guard room >= width else { break }
            room -= width
            if width == 4 {
                appendRaw(UnsafeRawBufferPointer(rebasing: bytes[run..<index]), to: &line)
                line.append(0x5C)
                line.append(0x78)
                line.append(hexDigit(byte >> 4))
                line.append(hexDigit(byte & 0x0F))
                run = index + 1
            }
            index += 1
        }
        appendRaw(UnsafeRawBufferPointer(rebasing: bytes[run..<index]), to: &line)
        if cut { appendStatic("...", to: &line) }
    }

    /// Appends bytes as they are, in one copy.
    @inline(__always)
    public static func appendRaw(_ bytes: UnsafeRawBufferPointer, to line: inout [UInt8]) {
        guard let start = bytes.baseAddress, !bytes.isEmpty else { return }
        line.append(contentsOf: UnsafeBufferPointer(start: start.assumingMemoryBound(to: UInt8.self), count: bytes.count))
    }

    /// Appends a literal's bytes: no array made, no static to check.
    @inline(__always)
    public static func appendStatic(_ text: StaticString, to line: inout [UInt8]) {
        appendRaw(UnsafeRawBufferPointer(start: text.utf8Start, count: text.utf8CodeUnitCount), to: &line)
    }

    /// Appends a String's UTF-8, escaped (the peer's address, a method).
    public static func appendEscaped(_ text: String, to line: inout [UInt8], limit: Int = fieldLimit) {
        var text = text
        text.withUTF8 { appendEscaped(UnsafeRawBufferPointer($0), to: &line, limit: limit) }
    }

    @inline(__always)
    static func needsEscape(_ byte: UInt8) -> Bool {
        byte < 0x20 || byte >= 0x7F || byte == 0x22 || byte == 0x5C
    }

    @inline(__always)
    static func hexDigit(_ value: UInt8) -> UInt8 {
        value < 10 ? 0x30 + value : 0x41 + value - 10
    }

    /// Appends a non-negative integer in decimal (negative ones as 0).
    public static func appendDecimal(_ value: Int, to line: inout [UInt8]) {
        guard value > 0 else { return line.append(0x30) }
        var digits: (UInt64, UInt64, UInt64) = (0, 0, 0)  // room for 20 digits, no allocation
        var count = 0
        var rest = UInt64(value)
        withUnsafeMutableBytes(of: &digits) { buffer in
            while rest > 0 {
                buffer[count] = 0x30 + UInt8(rest % 10)
                rest /= 10
                count += 1
            }
            while count > 0 {
                count -= 1
                line.append(buffer[count])
            }
        }
    }

    /// Appends seconds with millisecond resolution, as nginx's
    /// `$request_time`: `0.001`, `12.345`.
    public static func appendSeconds(milliseconds: Int, to line: inout [UInt8]) {
        let milliseconds = max(0, milliseconds)
        appendDecimal(milliseconds / 1000, to: &line)
        let fraction = milliseconds % 1000
        line.append(0x2E)
        line.append(0x30 + UInt8(fraction / 100))
        line.append(0x30 + UInt8(fraction / 10 % 10))
        line.append(0x30 + UInt8(fraction % 10))
    }
}
