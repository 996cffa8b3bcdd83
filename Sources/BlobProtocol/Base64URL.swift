/// RFC 4648's urlsafe base64, with padding (24 characters for 16 bytes),
/// written straight into the String's storage: it runs on every blob GET
/// (the Tag), where going through Foundation's Data and String and a map
/// was a seventh of the request's instructions.
public enum Base64URL {
    public static func encode<C: Collection>(_ bytes: C) -> String where C.Element == UInt8 {
        if let text = bytes.withContiguousStorageIfAvailable({ encode(buffer: $0) }) { return text }
        return Array(bytes).withUnsafeBufferPointer { encode(buffer: $0) }
    }

    private static let alphabet: StaticString = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"

    public static func encode(buffer input: UnsafeBufferPointer<UInt8>) -> String {
        let length = (input.count + 2) / 3 * 4
        guard length > 0 else { return "" }
        return String(unsafeUninitializedCapacity: length) { output in
            let symbols = alphabet.utf8Start
            var read = 0, written = 0
            while read < input.count {
                let remaining = input.count - read
                let first = UInt32(input[read])
                let second = remaining > 1 ? UInt32(input[read + 1]) : 0
                let third = remaining > 2 ? UInt32(input[read + 2]) : 0
                let group = first << 16 | second << 8 | third
                output[written] = symbols[Int(group >> 18 & 63)]
                output[written + 1] = symbols[Int(group >> 12 & 63)]
                output[written + 2] = remaining > 1 ? symbols[Int(group >> 6 & 63)] : UInt8(ascii: "=")
                output[written + 3] = remaining > 2 ? symbols[Int(group & 63)] : UInt8(ascii: "=")
                read += 3
                written += 4
            }
            return length
        }
    }
}
