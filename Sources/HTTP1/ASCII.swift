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

    // Byte classes as 128-bit masks (two words): constant-folded, so a
    // test is a shift and an AND, with no lazily initialised table.

    /// tchar: the characters of a token (method, field name).
    @inline(__always)
    static func isToken(_ c: UInt8) -> Bool {
        // ! # $ % & ' * + - . 0-9 (low word); A-Z ^ _ ` a-z | ~ (high word)
        let low: UInt64 = 0x03FF_6CFA_0000_0000
        let high: UInt64 = 0x57FF_FFFF_C7FF_FFFE
        return c < 64 ? (low >> UInt64(c)) & 1 == 1 : c < 128 && (high >> UInt64(c - 64)) & 1 == 1
    }

    /// field-vchar, SP and HTAB: what a field value may hold.
    @inline(__always)
    static func isFieldValue(_ c: UInt8) -> Bool {
        c == 9 || (c >= 32 && c != 127)
    }

    /// Visible ASCII: what a request target may hold.
    @inline(__always)
    static func isTarget(_ c: UInt8) -> Bool { c > 32 && c < 127 }

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
