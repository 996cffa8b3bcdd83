/// Byte classes of RFC 9110/9112, as tables so the parser's inner loops
/// test one load per byte.
enum ASCII {
    static let cr: UInt8 = 13
    static let lf: UInt8 = 10
    static let space: UInt8 = 32
    static let tab: UInt8 = 9
    static let colon: UInt8 = 58

    @inline(__always)
    static func lower(_ byte: UInt8) -> UInt8 {
        (byte >= 65 && byte <= 90) ? byte | 0x20 : byte
    }

    /// tchar: the characters of a token (method, field name).
    static let isTokenTable: [Bool] = (0..<256).map { value in
        let c = UInt8(value)
        if c >= 0x30 && c <= 0x39 { return true }
        if c >= 0x41 && c <= 0x5A { return true }
        if c >= 0x61 && c <= 0x7A { return true }
        return "!#$%&'*+-.^_`|~".utf8.contains(c)
    }

    /// field-vchar, SP and HTAB: what a field value may hold.
    static let isFieldValueTable: [Bool] = (0..<256).map { value in
        value == 9 || (value >= 32 && value != 127)
    }

    /// Visible ASCII: what a request target may hold.
    static let isTargetTable: [Bool] = (0..<256).map { value in value > 32 && value < 127 }

    @inline(__always) static func isToken(_ c: UInt8) -> Bool { isTokenTable[Int(c)] }
    @inline(__always) static func isFieldValue(_ c: UInt8) -> Bool { isFieldValueTable[Int(c)] }
    @inline(__always) static func isTarget(_ c: UInt8) -> Bool { isTargetTable[Int(c)] }

    /// The value of a hexadecimal digit, or nil.
    @inline(__always)
    static func hexValue(_ c: UInt8) -> Int? {
        switch c {
        case 0x30...0x39: return Int(c - 0x30)
        case 0x41...0x46: return Int(c - 0x41 + 10)
        case 0x61...0x66: return Int(c - 0x61 + 10)
        default: return nil
        }
    }
}
