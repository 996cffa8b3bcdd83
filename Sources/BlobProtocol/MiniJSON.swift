/// A small strict JSON reader for the request bodies this API takes:
/// arrays, strings and non-negative integers (nothing else is ever needed).
///
/// Why not FoundationEssentials' JSONDecoder/JSONEncoder: measured with
/// scripts/bench-json.sh (release, /dev/shm, wrk c10, 4 alternating rounds
/// of 3 s, medians; worker CPU per request from /proc), Foundation's JSON
/// cost, per request: only_flags 31.8 -> 46.3 us (+46%), POST flags 63.4
/// -> 76.7 us (+21%), a filter_flag listing of 1,000 blobs 12.9 -> 14.5 ms
/// (+12%), a plain 1,000-blob listing 8.2 -> 8.7 ms (+6%); req/s fell
/// alike (only_flags 21,598 -> 14,516). It also accepts `["a",]`, which
/// this reader refuses (400).
public enum MiniJSON: Equatable, Sendable {
    case array([MiniJSON])
    case string(String)
    case number(Int)

    struct SyntaxError: Error {}

    public static func parse(_ bytes: [UInt8]) throws -> MiniJSON {
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

        /// A string with every JSON escape (`\uXXXX` with surrogate pairs);
        /// raw control characters and lone surrogates are refused.
        mutating func string() throws -> String {
            index += 1
            var utf8: [UInt8] = []
            while index < bytes.count {
                let byte = bytes[index]
                index += 1
                switch byte {
                case UInt8(ascii: "\""): return String(decoding: utf8, as: UTF8.self)
                case UInt8(ascii: "\\"): try escape(into: &utf8)
                case 0..<0x20: throw SyntaxError()
                default: utf8.append(byte)
                }
            }
            throw SyntaxError()
        }

        private mutating func escape(into utf8: inout [UInt8]) throws {
            guard index < bytes.count else { throw SyntaxError() }
            let byte = bytes[index]
            index += 1
            switch byte {
            case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "/"): utf8.append(byte)
            case UInt8(ascii: "b"): utf8.append(0x08)
            case UInt8(ascii: "f"): utf8.append(0x0C)
            case UInt8(ascii: "n"): utf8.append(0x0A)
            case UInt8(ascii: "r"): utf8.append(0x0D)
            case UInt8(ascii: "t"): utf8.append(0x09)
            case UInt8(ascii: "u"):
                var scalar = try hex4()
                if (0xD800..<0xDC00).contains(scalar) {  // a high surrogate: its low half must follow
                    guard index + 1 < bytes.count, bytes[index] == UInt8(ascii: "\\"), bytes[index + 1] == UInt8(ascii: "u") else {
                        throw SyntaxError()
                    }
                    index += 2
                    let low = try hex4()
                    guard (0xDC00..<0xE000).contains(low) else { throw SyntaxError() }
                    scalar = 0x10000 + (scalar - 0xD800) << 10 + (low - 0xDC00)
                }
                guard let unicode = Unicode.Scalar(scalar) else { throw SyntaxError() }
                utf8.append(contentsOf: String(Character(unicode)).utf8)
            default: throw SyntaxError()
            }
        }

        private mutating func hex4() throws -> UInt32 {
            guard index + 4 <= bytes.count else { throw SyntaxError() }
            var value: UInt32 = 0
            for _ in 0..<4 {
                let byte = bytes[index]
                index += 1
                let digit: UInt8
                switch byte {
                case UInt8(ascii: "0")...UInt8(ascii: "9"): digit = byte - UInt8(ascii: "0")
                case UInt8(ascii: "a")...UInt8(ascii: "f"): digit = byte - UInt8(ascii: "a") + 10
                case UInt8(ascii: "A")...UInt8(ascii: "F"): digit = byte - UInt8(ascii: "A") + 10
                default: throw SyntaxError()
                }
                value = value << 4 | UInt32(digit)
            }
            return value
        }
    }
}
