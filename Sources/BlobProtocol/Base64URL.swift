// Conditional: scripts/fuzz.sh compiles HTTP1 and this module as one.
#if canImport(HTTP1)
import HTTP1
#endif

/// RFC 4648's urlsafe base64, with padding (24 characters for 16 bytes),
/// written straight into its destination: it runs on every blob GET (the
/// Tag), where going through Foundation's Data and String and a map was a
/// seventh of the request's instructions.
public enum Base64URL {
    public static func encode<C: Collection>(_ bytes: C) -> String where C.Element == UInt8 {
        if let text = bytes.withContiguousStorageIfAvailable({ encode(buffer: $0) }) { return text }
        return Array(bytes).withUnsafeBufferPointer { encode(buffer: $0) }
    }

    public static func encode(buffer input: UnsafeBufferPointer<UInt8>) -> String {
        ByteWriter.string(atMost: encodedLength(input.count)) { encode(input, to: &$0) }
    }

    public static func encodedLength(_ count: Int) -> Int {
        (count + 2) / 3 * 4
    }

    private static let alphabet: StaticString = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"

    public static func encode(_ input: UnsafeBufferPointer<UInt8>, to writer: inout ByteWriter) {
        let symbols = alphabet.utf8Start
        var read = 0
        while read < input.count {
            let remaining = input.count - read
            let first = UInt32(input[read])
            let second = remaining > 1 ? UInt32(input[read + 1]) : 0
            let third = remaining > 2 ? UInt32(input[read + 2]) : 0
            let group = first << 16 | second << 8 | third
            writer.put(symbols[Int(group >> 18 & 63)])
            writer.put(symbols[Int(group >> 12 & 63)])
            writer.put(remaining > 1 ? symbols[Int(group >> 6 & 63)] : UInt8(ascii: "="))
            writer.put(remaining > 2 ? symbols[Int(group & 63)] : UInt8(ascii: "="))
            read += 3
        }
    }
}
