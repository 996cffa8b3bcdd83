/// Makes the `Idempotency-Key` the balancer adds to a PUT, POST or DELETE
/// that came without one, so that a retry after a worker died between
/// doing the work and answering (the request is sent again, bytes and key
/// unchanged) is answered as the first attempt would have been, not 409
/// or 404. Keys are a random per-process prefix and a counter: unique
/// across restarts and balancers, and no system call per request.
final class IdempotencyKeySource {
    private let prefix: [UInt8]
    private var counter: UInt64 = 0

    init() {
        var generator = SystemRandomNumberGenerator()
        let random = (0..<2).map { _ in generator.next() as UInt64 }
        prefix = Array("\"lb-".utf8) + random.flatMap { Self.hex($0, digits: 16) } + [UInt8(ascii: "-")]
    }

    /// Appends the next key, as a quoted string (the draft's form).
    func appendNext(to value: inout [UInt8]) {
        counter += 1
        value.append(contentsOf: prefix)
        value.append(contentsOf: Self.hex(counter, digits: counter.bitWidth / 4 - counter.leadingZeroBitCount / 4))
        value.append(UInt8(ascii: "\""))
    }

    private static func hex(_ value: UInt64, digits: Int) -> [UInt8] {
        (0..<max(digits, 1)).reversed().map { index in
            let digit = UInt8((value >> (UInt64(index) * 4)) & 0xF)
            return digit < 10 ? 0x30 + digit : 0x57 + digit
        }
    }
}
