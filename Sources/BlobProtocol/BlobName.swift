/// A user, blob id or namespace that passed the whitelist of API.md:
/// `^[A-Za-z0-9_-]+$`, 1 to 128 bytes. Only these ever become paths, so no
/// request can name `..`, a slash, or anything outside the store.
public struct BlobName: Hashable, Sendable, CustomStringConvertible {
    public enum Kind: String, Sendable {
        case user, id, namespace
    }

    public let value: String

    public static let maxLength = 128

    /// The namespace of a request that names none.
    public static let defaultNamespace = BlobName(trusted: "default")

    private init(trusted value: String) {
        self.value = value
    }

    public init(validating text: String, kind: Kind) throws(WireFormatError) {
        guard Self.isValid(text) else { throw WireFormatError("invalid \(kind.rawValue): use 1 to 128 of A-Z a-z 0-9 _ -") }
        value = text
    }

    /// True for 1 to 128 bytes of `A-Z a-z 0-9 _ -`.
    public static func isValid<Text: StringProtocol>(_ text: Text) -> Bool {
        if let valid = text.utf8.withContiguousStorageIfAvailable({ isValid(bytes: $0) }) { return valid }
        let bytes = text.utf8
        return !bytes.isEmpty && bytes.count <= maxLength && bytes.allSatisfy(isNameByte)
    }

    /// The same test on a file name's bytes, as a directory walk reads them.
    public static func isValid(bytes: UnsafeBufferPointer<UInt8>) -> Bool {
        !bytes.isEmpty && bytes.count <= maxLength && bytes.allSatisfy(isNameByte)
    }

    @inline(__always)
    private static func isNameByte(_ byte: UInt8) -> Bool {
        (byte >= 0x30 && byte <= 0x39) || (byte >= 0x41 && byte <= 0x5A) || (byte >= 0x61 && byte <= 0x7A)
            || byte == 0x5F || byte == 0x2D
    }

    public var description: String { value }
}
