/// Header fields kept as one byte array plus the spans of each name and
/// value, so a parsed head costs two allocations whatever its size; `String`s
/// are made only for the fields a caller asks for.
public struct HTTPHeaders: Sendable, Sequence {
    struct Span: Sendable {
        var nameStart: Int32, nameEnd: Int32, valueStart: Int32, valueEnd: Int32
    }

    private(set) var storage: [UInt8]
    private(set) var spans: [Span]

    public init() {
        storage = []
        spans = []
    }

    public init(_ pairs: [(String, String)]) {
        self.init()
        for (name, value) in pairs { append(name: name, value: value) }
    }

    /// Used by the parsers: `storage` already holds the head's bytes.
    init(storage: [UInt8], spans: [Span]) {
        self.storage = storage
        self.spans = spans
    }

    public var count: Int { spans.count }
    public var isEmpty: Bool { spans.isEmpty }

    public mutating func append(name: String, value: String) {
        if spans.isEmpty && spans.capacity == 0 { reserveForAnswer() }
        var (name, value) = (name, value)
        let nameStart = Int32(storage.count)
        name.withUTF8 { storage.append(contentsOf: $0) }  // one copy of contiguous bytes, not the UTF8View's
        let nameEnd = Int32(storage.count)
        value.withUTF8 { storage.append(contentsOf: $0) }
        spans.append(Span(nameStart: nameStart, nameEnd: nameEnd, valueStart: nameEnd, valueEnd: Int32(storage.count)))
    }

    /// Appends a field known when compiling (`Accept-Ranges: bytes`): one
    /// copy into the storage, where two Strings cost two and their checks.
    public mutating func append(name: StaticString, constant value: StaticString) {
        append(name: name, valueAtMost: value.utf8CodeUnitCount) { $0.put(value) }
    }

    /// Appends a field whose value `write` writes, at most `bound` bytes,
    /// straight into the storage: a value made for one answer (an ETag, a
    /// digest) never becomes a String of its own.
    public mutating func append(name: StaticString, valueAtMost bound: Int, _ write: (inout ByteWriter) -> Void) {
        if spans.isEmpty && spans.capacity == 0 { reserveForAnswer() }
        let nameStart = Int32(storage.count)
        let nameEnd = nameStart + Int32(name.utf8CodeUnitCount)
        storage.append(atMost: name.utf8CodeUnitCount + bound) { writer in
            writer.put(name)
            write(&writer)
        }
        spans.append(Span(nameStart: nameStart, nameEnd: nameEnd, valueStart: nameEnd, valueEnd: Int32(storage.count)))
    }

    /// Appends a field from raw bytes; `writeValue` appends its value
    /// straight into the storage. With `removeAll(keepingCapacity:)`, a
    /// writer reuses one `HTTPHeaders` for every head it builds.
    public mutating func append(name: UnsafeRawBufferPointer, writingValue writeValue: (inout [UInt8]) -> Void) {
        let nameStart = Int32(storage.count)
        storage.append(contentsOf: name)
        let nameEnd = Int32(storage.count)
        writeValue(&storage)
        spans.append(Span(nameStart: nameStart, nameEnd: nameEnd, valueStart: nameEnd, valueEnd: Int32(storage.count)))
    }

    /// Room for a handler's usual fields at once, instead of the arrays
    /// growing through several reallocations while they are appended.
    private mutating func reserveForAnswer() {
        storage.reserveCapacity(240)
        spans.reserveCapacity(6)
    }

    public mutating func removeAll(keepingCapacity: Bool = false) {
        storage.removeAll(keepingCapacity: keepingCapacity)
        spans.removeAll(keepingCapacity: keepingCapacity)
    }

    /// Removes every field called `name` (case-insensitive).
    public mutating func remove(name: String) {
        let kept = spans.filter { !nameEquals($0, name) }
        spans = kept
    }

    /// Replaces every field called `name` by one with `value`.
    public mutating func replace(name: String, value: String) {
        remove(name: name)
        append(name: name, value: value)
    }

    /// The first value of the field called `name` (case-insensitive).
    public subscript(name: String) -> String? {
        for span in spans where nameEquals(span, name) { return value(of: span) }
        return nil
    }

    /// `body` over the raw bytes of the value of field `index`, in place.
    func withValue<T>(at index: Int, _ body: (UnsafeRawBufferPointer) -> T) -> T {
        let span = spans[index]
        return storage.withUnsafeBytes { bytes in
            body(UnsafeRawBufferPointer(rebasing: bytes[Int(span.valueStart)..<Int(span.valueEnd)]))
        }
    }

    /// Every value of the fields called `name`, in order.
    public func values(_ name: String) -> [String] {
        spans.filter { nameEquals($0, name) }.map { value(of: $0) }
    }

    public func contains(_ name: String) -> Bool {
        spans.contains { nameEquals($0, name) }
    }

    /// How many fields are called `name`.
    public func count(of name: String) -> Int {
        spans.reduce(0) { $0 + (nameEquals($1, name) ? 1 : 0) }
    }

    /// Whether a comma-separated field such as `Connection` lists `token`
    /// (case-insensitive), in any of its occurrences.
    public func containsToken(_ token: String, in name: String) -> Bool {
        var found = false
        forEachToken(in: name) { candidate in
            guard candidate.count == token.utf8.count else { return true }
            var index = 0
            for byte in token.utf8 {
                if ASCII.lower(candidate[index]) != ASCII.lower(byte) { return true }
                index += 1
            }
            found = true
            return false
        }
        return found
    }

    /// Calls `body` with each token (spaces and tabs trimmed, empty ones
    /// skipped) of every field called `name`, in order, as raw bytes in
    /// place: no String, split or lowercased(), one pass over the values.
    /// `body` returns false to stop.
    public func forEachToken(in name: String, _ body: (UnsafeRawBufferPointer) -> Bool) {
        storage.withUnsafeBytes { bytes in
            for span in spans where nameEquals(span, name) {
                var start = Int(span.valueStart)
                let end = Int(span.valueEnd)
                while start < end {
                    var stop = start
                    while stop < end && bytes[stop] != 0x2C { stop += 1 }
                    var first = start, last = stop
                    while first < last && (bytes[first] == ASCII.space || bytes[first] == ASCII.tab) { first += 1 }
                    while last > first && (bytes[last - 1] == ASCII.space || bytes[last - 1] == ASCII.tab) { last -= 1 }
                    if last > first && !body(UnsafeRawBufferPointer(rebasing: bytes[first..<last])) { return }
                    start = stop + 1
                }
            }
        }
    }

    public func makeIterator() -> AnyIterator<(name: String, value: String)> {
        var index = 0
        return AnyIterator {
            guard index < spans.count else { return nil }
            defer { index += 1 }
            return (name: name(of: spans[index]), value: value(of: spans[index]))
        }
    }

    /// Calls `body` with the raw bytes of each field, in order, without
    /// making strings: the writers use it.
    public func forEachRaw(_ body: (UnsafeRawBufferPointer, UnsafeRawBufferPointer) -> Void) {
        storage.withUnsafeBytes { bytes in
            for span in spans {
                body(
                    UnsafeRawBufferPointer(rebasing: bytes[Int(span.nameStart)..<Int(span.nameEnd)]),
                    UnsafeRawBufferPointer(rebasing: bytes[Int(span.valueStart)..<Int(span.valueEnd)]))
            }
        }
    }

    private func name(of span: Span) -> String {
        String(decoding: storage[Int(span.nameStart)..<Int(span.nameEnd)], as: UTF8.self)
    }

    private func value(of span: Span) -> String {
        String(decoding: storage[Int(span.valueStart)..<Int(span.valueEnd)], as: UTF8.self)
    }

    private func nameEquals(_ span: Span, _ name: String) -> Bool {
        let length = Int(span.nameEnd - span.nameStart)
        guard length == name.utf8.count else { return false }
        // Over contiguous bytes on both sides: iterating a String's UTF8View
        // cost a few hundred instructions per lookup, and a request's head
        // makes several (framing, keep-alive, the handler's own).
        let start = Int(span.nameStart)
        let equal: Bool? = storage.withUnsafeBufferPointer { stored in
            name.utf8.withContiguousStorageIfAvailable { wanted in
                for index in 0..<length where ASCII.lower(stored[start + index]) != ASCII.lower(wanted[index]) { return false }
                return true
            }
        }
        if let equal { return equal }
        var index = start
        for byte in name.utf8 {
            if ASCII.lower(storage[index]) != ASCII.lower(byte) { return false }
            index += 1
        }
        return true
    }
}

extension StringProtocol {
    /// Drops spaces and tabs at both ends (HTTP's optional whitespace).
    public func trimmingHTTPWhitespace() -> Substring {
        var slice = Substring(self)
        while let first = slice.first, first == " " || first == "\t" { slice.removeFirst() }
        while let last = slice.last, last == " " || last == "\t" { slice.removeLast() }
        return slice
    }
}
