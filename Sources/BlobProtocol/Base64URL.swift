import FoundationEssentials

/// RFC 4648's urlsafe base64, with padding (24 characters for 16 bytes):
/// Foundation's base64 with `+/` swapped for `-_`.
public enum Base64URL {
    public static func encode<C: Collection>(_ bytes: C) -> String where C.Element == UInt8 {
        let standard = Data(bytes).base64EncodedString()
        return String(decoding: standard.utf8.map(urlSafe), as: UTF8.self)
    }

    private static func urlSafe(_ byte: UInt8) -> UInt8 {
        switch byte {
        case UInt8(ascii: "+"): return UInt8(ascii: "-")
        case UInt8(ascii: "/"): return UInt8(ascii: "_")
        default: return byte
        }
    }
}
