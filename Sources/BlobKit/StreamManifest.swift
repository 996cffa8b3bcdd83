/// The first line of a stream upload: a JSON list of `[id, size]` pairs,
/// each id valid and each size within `maxBody`.
struct StreamManifest {
    let entries: [(id: BlobName, size: Int)]

    private static let invalid = RequestError.badBody("manifest must be a JSON list of [id, size] pairs")

    init(parsing line: [UInt8], maxBody: Int) throws {
        guard case .array(let items) = try MiniJSON.parse(line) else { throw Self.invalid }
        entries = try items.map { item in
            guard case .array(let pair) = item, pair.count == 2, case .string(let id) = pair[0],
                  case .number(let size) = pair[1], size >= 0, size <= maxBody else { throw Self.invalid }
            return (try BlobName(validating: id, kind: .id), size)
        }
    }
}
