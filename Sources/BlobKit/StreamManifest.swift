import FoundationEssentials

/// The first line of a stream upload: a JSON list of `[id, size]` pairs,
/// each id valid and each size within `maxBody`.
struct StreamManifest {
    let entries: [(id: BlobName, size: Int)]

    private static let invalid = RequestError.badBody("manifest must be a JSON list of [id, size] pairs")

    init(parsing line: [UInt8], maxBody: Int) throws {
        let pairs: [Pair]
        do {
            pairs = try JSONDecoder().decode([Pair].self, from: Data(line))
        } catch {
            throw Self.invalid
        }
        entries = try pairs.map { pair in
            guard pair.size >= 0, pair.size <= maxBody else { throw Self.invalid }
            return (try BlobName(validating: pair.id, kind: .id), pair.size)
        }
    }

    /// `[id, size]`: exactly two items, a string and an integer.
    private struct Pair: Decodable {
        let id: String
        let size: Int

        init(from decoder: any Decoder) throws {
            var items = try decoder.unkeyedContainer()
            id = try items.decode(String.self)
            size = try items.decode(Int.self)
            guard items.isAtEnd else {
                throw DecodingError.dataCorruptedError(in: items, debugDescription: "more than [id, size]")
            }
        }
    }
}
