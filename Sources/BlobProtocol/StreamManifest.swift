/// The first line of a stream upload: a JSON list of `[id, size]` pairs,
/// each id valid and each size within `maxBody`.
public struct StreamManifest: Sendable {
    public let entries: [(id: BlobName, size: Int)]

    private static let invalid = WireFormatError("manifest must be a JSON list of [id, size] pairs")

    public init(parsing line: [UInt8], maxBody: Int) throws(WireFormatError) {
        guard let value = try? MiniJSON.parse(line), case .array(let items) = value else { throw Self.invalid }
        var entries: [(id: BlobName, size: Int)] = []
        entries.reserveCapacity(items.count)
        for item in items {
            guard case .array(let pair) = item, pair.count == 2, case .string(let id) = pair[0],
                  case .number(let size) = pair[1], size >= 0, size <= maxBody else { throw Self.invalid }
            entries.append((try BlobName(validating: id, kind: .id), size))
        }
        self.entries = entries
    }
}
