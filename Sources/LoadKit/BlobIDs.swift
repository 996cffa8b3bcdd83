import Foundation

/// Blob ids unique across runs and processes, within `^[A-Za-z0-9_-]+$`:
/// a random run prefix and a counter, or random version-4 UUIDs in hex.
public struct BlobIDs: Sendable {
    public let prefix: String
    public let style: IDStyle
    private var counter = 0

    public init(style: IDStyle = .counter, prefix: String = BlobIDs.randomPrefix()) {
        self.style = style
        self.prefix = prefix
    }

    public mutating func next() -> String {
        switch style {
        case .counter:
            counter += 1
            return "\(prefix)-\(counter)"
        case .uuid:
            return BlobIDs.uuidHex()
        }
    }

    public static func randomPrefix() -> String {
        let alphabet = Array("abcdefghijklmnopqrstuvwxyz0123456789")
        return "L" + String((0..<10).map { _ in alphabet.randomElement()! })
    }

    /// A random UUID as Python's `uuid4().hex` writes it.
    public static func uuidHex() -> String {
        UUID().uuidString.lowercased().replacingOccurrences(of: "-", with: "")
    }
}
