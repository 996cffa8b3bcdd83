/// A small strict JSON reader for the request bodies this API takes:
/// arrays, strings and non-negative integers (nothing else is ever needed).
enum MiniJSON: Equatable {
    case array([MiniJSON])
    case string(String)
    case number(Int)

    struct SyntaxError: Error {}

    static func parse(_ bytes: [UInt8]) throws -> MiniJSON {
        var reader = Reader(bytes: bytes)
        let value = try reader.value(depth: 0)
        reader.skipWhitespace()
        guard reader.index == bytes.count else { throw SyntaxError() }
        return value
    }

    private struct Reader {
        let bytes: [UInt8]
        var index = 0

        mutating func skipWhitespace() {
            while index < bytes.count, [0x20, 0x09, 0x0A, 0x0D].contains(bytes[index]) { index += 1 }
        }

        mutating func value(depth: Int) throws -> MiniJSON {
            guard depth < 8 else { throw SyntaxError() }
            skipWhitespace()
            guard index < bytes.count else { throw SyntaxError() }
            switch bytes[index] {
            case UInt8(ascii: "["): return try array(depth: depth)
            case UInt8(ascii: "\""): return .string(try string())
            case UInt8(ascii: "0")...UInt8(ascii: "9"): return .number(try number())
            default: throw SyntaxError()
            }
        }

        mutating func array(depth: Int) throws -> MiniJSON {
            index += 1
            var items: [MiniJSON] = []
            skipWhitespace()
            if index < bytes.count, bytes[index] == UInt8(ascii: "]") { index += 1; return .array(items) }
            while true {
                items.append(try value(depth: depth + 1))
                skipWhitespace()
                guard index < bytes.count else { throw SyntaxError() }
                if bytes[index] == UInt8(ascii: ",") { index += 1; continue }
                if bytes[index] == UInt8(ascii: "]") { index += 1; return .array(items) }
                throw SyntaxError()
            }
        }

        mutating func number() throws -> Int {
            var result = 0
            let start = index
            while index < bytes.count, (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(bytes[index]) {
                guard index - start < 18 else { throw SyntaxError() }
                result = result * 10 + Int(bytes[index] - UInt8(ascii: "0"))
                index += 1
            }
            return result
        }

        /// Plain strings only: escapes other than `\"` and `\\` are refused,
        /// since no valid id or flag needs them.
        mutating func string() throws -> String {
            index += 1
            var scalars: [UInt8] = []
            while index < bytes.count {
                let byte = bytes[index]
                index += 1
                switch byte {
                case UInt8(ascii: "\""): return String(decoding: scalars, as: UTF8.self)
                case UInt8(ascii: "\\"):
                    guard index < bytes.count, [UInt8(ascii: "\""), UInt8(ascii: "\\")].contains(bytes[index]) else {
                        throw SyntaxError()
                    }
                    scalars.append(bytes[index])
                    index += 1
                case 0..<0x20: throw SyntaxError()
                default: scalars.append(byte)
                }
            }
            throw SyntaxError()
        }
    }
}
