/// Hand-written JSON for the few shapes this API sends: lists of names
/// that are already known to need no escaping beyond the basics.
public enum JSONText {
    public static func stringList(_ items: [String]) -> [UInt8] {
        var bytes: [UInt8] = [UInt8(ascii: "[")]
        bytes.reserveCapacity(items.count * 40 + 2)
        for (index, item) in items.enumerated() {
            if index > 0 { bytes.append(contentsOf: [UInt8(ascii: ","), UInt8(ascii: " ")]) }
            appendString(item, to: &bytes)
        }
        bytes.append(UInt8(ascii: "]"))
        return bytes
    }

    public static func appendString(_ text: String, to bytes: inout [UInt8]) {
        bytes.append(UInt8(ascii: "\""))
        for byte in text.utf8 {
            switch byte {
            case UInt8(ascii: "\""), UInt8(ascii: "\\"):
                bytes.append(UInt8(ascii: "\\"))
                bytes.append(byte)
            case 0..<0x20:
                bytes.append(contentsOf: Array(String(format: byte).utf8))
            default:
                bytes.append(byte)
            }
        }
        bytes.append(UInt8(ascii: "\""))
    }
}

private extension String {
    /// `\u00XX` for a control byte.
    init(format byte: UInt8) {
        let digits = Array("0123456789abcdef")
        self = "\\u00" + String(digits[Int(byte >> 4)]) + String(digits[Int(byte & 15)])
    }
}
