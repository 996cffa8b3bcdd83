/// Writes bytes (a head, a field value, a file name) into memory sized
/// beforehand, so a head costs one append to its array instead of one per
/// piece (each of those is about a hundred instructions of capacity and
/// uniqueness checks; a response head had twenty). Every write checks the
/// bound: a wrong estimate stops the process rather than writing past the
/// buffer.
public struct ByteWriter {
    private let buffer: UnsafeMutableBufferPointer<UInt8>
    public private(set) var count = 0

    public init(_ buffer: UnsafeMutableBufferPointer<UInt8>) {
        self.buffer = buffer
    }

    public mutating func put(_ byte: UInt8) {
        precondition(count < buffer.count, "bytes larger than their bound")
        buffer[count] = byte
        count += 1
    }

    @inline(__always)
    public mutating func put(_ bytes: UnsafeRawBufferPointer) {
        precondition(bytes.count <= buffer.count - count, "bytes larger than their bound")
        guard let source = bytes.baseAddress, !bytes.isEmpty else { return }
        UnsafeMutableRawPointer(buffer.baseAddress! + count).copyMemory(from: source, byteCount: bytes.count)
        count += bytes.count
    }

    public mutating func put(_ text: StaticString) {
        put(UnsafeRawBufferPointer(start: text.utf8Start, count: text.utf8CodeUnitCount))
    }

    public mutating func put(_ text: String) {
        let copied: Void? = text.utf8.withContiguousStorageIfAvailable { put(UnsafeRawBufferPointer($0)) }
        if copied == nil { put(Array(text.utf8)) }
    }

    public mutating func put(_ bytes: [UInt8]) {
        bytes.withUnsafeBytes { put($0) }
    }

    public mutating func putCRLF() {
        put(ASCII.cr)
        put(ASCII.lf)
    }

    /// The most bytes `putDecimal` writes: Int.max has 19 digits.
    public static let decimalBound = 19

    /// A String of what `write` writes, at most `bound` bytes of UTF-8,
    /// made in its own storage.
    public static func string(atMost bound: Int, _ write: (inout ByteWriter) -> Void) -> String {
        String(unsafeUninitializedCapacity: bound) { buffer in
            var writer = ByteWriter(buffer)
            write(&writer)
            return writer.count
        }
    }

    /// The most bytes `putHex` writes.
    public static let hexBound = 16

    /// An unsigned integer in lower-case hex, no leading zeros: one bound
    /// check for all its digits (an ETag has four of these).
    public mutating func putHex(_ value: UInt64) {
        let digits = max(1, (64 - value.leadingZeroBitCount + 3) / 4)
        precondition(digits <= buffer.count - count, "bytes larger than their bound")
        let table: StaticString = "0123456789abcdef"
        let hex = table.utf8Start
        var remaining = value
        var next = buffer.baseAddress! + count + digits  // checked above: the digits fit
        repeat {
            next -= 1
            next.pointee = hex[Int(remaining & 0xf)]
            remaining >>= 4
        } while remaining != 0
        count += digits
    }

    /// A non-negative integer as decimal digits.
    public mutating func putDecimal(_ value: Int) {
        precondition(value >= 0, "negative length")
        var divisor = 1
        while divisor <= value / 10 { divisor *= 10 }
        while divisor > 0 {
            put(UInt8(truncatingIfNeeded: 0x30 + value / divisor % 10))
            divisor /= 10
        }
    }
}

extension Array where Element == UInt8 {
    /// Appends what `write` writes, at most `bound` bytes, in one copy
    /// (from the stack, for a head of usual size).
    mutating func append(atMost bound: Int, _ write: (inout ByteWriter) -> Void) {
        withUnsafeTemporaryAllocation(of: UInt8.self, capacity: bound) { buffer in
            var writer = ByteWriter(buffer)
            write(&writer)
            append(contentsOf: UnsafeBufferPointer(rebasing: buffer[..<writer.count]))
        }
    }
}
