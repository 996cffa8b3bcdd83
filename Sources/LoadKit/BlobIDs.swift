/// Blob ids unique across runs and processes: a random run prefix and a
/// counter, within `^[A-Za-z0-9_-]+$`.
public struct BlobIDs: Sendable {
    public let prefix: String
    private var counter = 0

    public init(prefix: String = BlobIDs.randomPrefix()) {
        self.prefix = prefix
    }

    public mutating func next() -> String {
        counter += 1
        return "\(prefix)-\(counter)"
    }

    public static func randomPrefix() -> String {
        let alphabet = Array("abcdefghijklmnopqrstuvwxyz0123456789")
        return "L" + String((0..<10).map { _ in alphabet.randomElement()! })
    }
}
