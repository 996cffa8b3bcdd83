// libFuzzer entry point for the Blobs API's wire formats. Built by
// scripts/fuzz.sh as one module with Sources/HTTP1/*.swift and
// Sources/BlobProtocol/*.swift, so it calls the parsers directly.
//
// Every input goes to every parser (a path, a query, a Range header against
// several sizes, a flags body, a stream manifest, a blob name, an
// idempotency key). Besides not crashing, hanging or overflowing the stack,
// each result must keep the promise the server relies on; a broken one stops
// the run with fatalError:
//   - a name is accepted exactly when it is 1 to 128 of [A-Za-z0-9_-], so no
//     accepted user, namespace or id can climb out of the store ("/", "..");
//   - a route never yields "." or ".." as a segment, and equals the one a
//     plain split-and-decode router gives (the byte router is an optimisation);
//     `allows` agrees with `allowed`;
//   - a range lies inside the blob: 0 <= start <= end < size;
//   - a parsed flags list encodes to JSON that parses back to the same list;
//   - a manifest's ids are valid names and its sizes lie in 0...maxBody;
//   - an accepted idempotency key is 1 to 255 visible ASCII characters.

enum BlobProtocolFuzz {
    static func check(_ bytes: [UInt8]) {
        let text = String(decoding: bytes, as: UTF8.self)
        checkName(text)
        checkRoute(text)
        checkQuery(text)
        checkRanges(text)
        checkFlags(bytes)
        checkManifest(bytes)
        checkKey(text)
    }

    static func checkName(_ text: String) {
        let whitelisted = !text.utf8.isEmpty && text.utf8.count <= 128 && text.utf8.allSatisfy { byte in
            (byte >= 0x30 && byte <= 0x39) || (byte >= 0x41 && byte <= 0x5A) || (byte >= 0x61 && byte <= 0x7A)
                || byte == 0x5F || byte == 0x2D
        }
        let accepted = (try? BlobName(validating: text, kind: .id)) != nil
        if accepted != whitelisted { fatalError("BlobName accepted=\(accepted) for \(text.debugDescription)") }
        if BlobName.isValid(text) != whitelisted { fatalError("BlobName.isValid disagrees for \(text.debugDescription)") }
    }

    static func checkRoute(_ text: String) {
        let path = text.hasPrefix("/") ? Substring(text) : Substring("/" + text)
        let segments: [String]
        switch BlobRoute(path: path) {
        case .list(let user): segments = [user]
        case .blob(let user, let id): segments = [user, id]
        case .stream(let user): segments = [user]
        case .baseline, .healthcheck, .notFound, .badPath: segments = []
        }
        for segment in segments where segment == "." || segment == ".." {
            fatalError("BlobRoute gave the segment \(segment) for \(text.debugDescription)")
        }
        for segment in segments where segment.contains("/") && BlobName.isValid(segment) {
            fatalError("a name with a slash passed validation: \(segment.debugDescription)")
        }
        let route = BlobRoute(path: path)
        let expected = referenceRoute(path)
        if route != expected { fatalError("BlobRoute gave \(route) where the reference gives \(expected) for \(text.debugDescription)") }
        for method in [HTTPMethod.GET, .HEAD, .PUT, .POST, .DELETE, .OPTIONS, .PATCH] where route.allows(method) != route.allowed.contains(method.description) {
            fatalError("BlobRoute.allows(\(method)) disagrees with allowed for \(route)")
        }
    }

    /// The router as first written: split on the "/" bytes, decode every segment.
    static func referenceRoute(_ path: Substring) -> BlobRoute {
        if path == "/" { return .baseline }
        if path == "/healthcheck" { return .healthcheck }
        guard path.utf8.first == UInt8(ascii: "/") else { return .notFound }  // a byte: "/" + a combining mark is one Character
        var decoded: [String] = []
        for piece in path.utf8.dropFirst().split(separator: UInt8(ascii: "/"), omittingEmptySubsequences: false) {
            guard let value = PercentDecoding.decode(Substring(piece)) else { return .badPath }
            decoded.append(value)
        }
        if decoded.contains(where: { $0 == "." || $0 == ".." }) { return .badPath }
        switch (decoded.first, decoded.count) {
        case ("blobs", 2): return .list(user: decoded[1])
        case ("blobs", 3): return decoded[2].isEmpty ? .list(user: decoded[1]) : .blob(user: decoded[1], id: decoded[2])
        case ("stream", 2): return .stream(user: decoded[1])
        case ("stream", 3) where decoded[2].isEmpty: return .stream(user: decoded[1])
        default: return .notFound
        }
    }

    static func checkQuery(_ text: String) {
        let query = QueryParameters(Substring(text))
        for name in ["namespace", "order_by", "deleted", "only_count", "only_flags", "filter_flag", "direction"] {
            _ = query[name]
            _ = query.flag(name)
        }
        // Escapes are bytes ("%", "+"), whatever Characters they are part of.
        if let decoded = PercentDecoding.decode(text, plusIsSpace: true), !text.utf8.contains(UInt8(ascii: "%")),
           !text.utf8.contains(UInt8(ascii: "+")), decoded != text {
            fatalError("PercentDecoding changed a text without escapes: \(text.debugDescription)")
        }
    }

    static func checkRanges(_ text: String) {
        for size in [0, 1, 2, 10, 1 << 20, Int.max / 2] {
            switch ByteRange.parse(text, size: size) {
            case .partial(let start, let end):
                if start < 0 || start > end || end >= size {
                    fatalError("ByteRange \(start)-\(end) outside a blob of \(size) for \(text.debugDescription)")
                }
            case .full, .unsatisfiable:
                break
            }
        }
    }

    static func checkFlags(_ bytes: [UInt8]) {
        guard let flags = try? FlagList.parse(bytes) else { return }
        let encoded = FlagList.encode(flags)
        guard let again = try? FlagList.parse(encoded), again == flags else {
            fatalError("flags \(flags) encode to \(String(decoding: encoded, as: UTF8.self)), which does not parse back")
        }
    }

    static func checkManifest(_ bytes: [UInt8]) {
        let maxBody = 1 << 20
        guard let manifest = try? StreamManifest(parsing: bytes, maxBody: maxBody) else { return }
        for entry in manifest.entries {
            if !BlobName.isValid(entry.id.value) { fatalError("manifest id \(entry.id.value.debugDescription) is not a name") }
            if entry.size < 0 || entry.size > maxBody { fatalError("manifest size \(entry.size) outside 0...\(maxBody)") }
        }
    }

    static func checkKey(_ text: String) {
        guard let key = IdempotencyKey(header: Substring(text)) else { return }
        let utf8 = key.value.utf8
        if utf8.isEmpty || utf8.count > 255 || !utf8.allSatisfy({ $0 > 0x20 && $0 < 0x7F && $0 != 0x22 }) {
            fatalError("IdempotencyKey accepted \(key.value.debugDescription)")
        }
    }
}

@_cdecl("LLVMFuzzerTestOneInput")
public func LLVMFuzzerTestOneInput(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    let bytes = size > 0 && data != nil ? Array(UnsafeBufferPointer(start: data, count: size)) : []
    BlobProtocolFuzz.check(bytes)
    return 0
}
