/// What a user's usage ledger (`ROOT/{user}/.usage`, see `UsageLedger`)
/// says: the bytes of the user's published blobs, and whether a change was
/// in flight when it was written. Always 64 bytes of text, so each update
/// is one `pwrite` at offset 0 over the old record, never a truncate:
///
///     v1 used=00000000000000012345 settled
///     v1 used=00000000000000012345 pending=+00000000000000004096
///
/// padded with spaces to 63 bytes, then a newline. `pending` is written
/// before a `link()` or `unlink()` of a blob and replaced by `settled`
/// after it; a record still pending when its lock is free means its writer
/// died in between, and the usage is walked again. Anything that does not
/// parse (an empty new file, a torn write after a power loss, a file
/// written by hand) reads as nil: walk again.
struct UsageRecord: Equatable {
    enum State: Equatable {
        case settled
        /// A change of `delta` bytes (a blob's size; negative for a DELETE)
        /// that may or may not have happened.
        case pending(delta: Int)
    }

    var used: Int
    var state: State

    static let size = 64
    private static let digits = 20

    var bytes: [UInt8] {
        var text = "v1 used=" + Self.padded(used)
        switch state {
        case .settled: text += " settled"
        case .pending(let delta): text += " pending=" + (delta < 0 ? "-" : "+") + Self.padded(delta.magnitude)
        }
        var bytes = Array(text.utf8)
        bytes += [UInt8](repeating: UInt8(ascii: " "), count: Self.size - 1 - bytes.count)
        bytes.append(UInt8(ascii: "\n"))
        return bytes
    }

    init(used: Int, state: State) {
        self.used = used
        self.state = state
    }

    init?(bytes: [UInt8]) {
        guard bytes.count == Self.size, bytes.last == UInt8(ascii: "\n") else { return nil }
        let words = String(decoding: bytes.dropLast(), as: UTF8.self).split(separator: " ")
        guard words.count == 3, words[0] == "v1", words[1].hasPrefix("used="),
              let used = Self.number(words[1].dropFirst(5)) else { return nil }
        self.used = used
        if words[2] == "settled" {
            state = .settled
        } else if words[2].hasPrefix("pending="), let sign = words[2].dropFirst(8).first,
                  sign == "+" || sign == "-", let magnitude = Self.number(words[2].dropFirst(9)) {
            state = .pending(delta: sign == "-" ? -magnitude : magnitude)
        } else {
            return nil
        }
    }

    private static func padded<N: BinaryInteger>(_ value: N) -> String {
        let text = String(value)
        return String(repeating: "0", count: max(0, digits - text.count)) + text
    }

    /// Exactly `digits` decimal digits (no sign: usage is never negative).
    private static func number(_ text: Substring) -> Int? {
        guard text.utf8.count == digits, text.utf8.allSatisfy({ $0 >= UInt8(ascii: "0") && $0 <= UInt8(ascii: "9") }) else { return nil }
        return Int(text)
    }
}
