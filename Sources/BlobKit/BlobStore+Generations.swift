import CShims
#if canImport(Glibc)
import Glibc
#endif

/// Flags belong to one blob, not to an id: every blob gets a unique
/// generation attribute (BlobStore.uniqueToken) before its `link()`, and a
/// flags file is written with the generation of the blob it was set on. Flags whose generation
/// differs from the blob's were left by an earlier blob of the same id (a
/// crash in a DELETE, or a POST racing one) and read as no flags, so a PUT
/// of a deleted id never inherits them; the next POST replaces them, the
/// next DELETE removes them. Files without the attribute (written by
/// Soledad, or on a store without user extended attributes) are taken as
/// they are: there, as in Soledad, stale flags can still be inherited.
extension BlobStore {
    static let generationAttribute = "user.blobs.generation"

    /// Gives a new blob's temporary file a fresh generation.
    func recordGeneration(on fd: Int32) {
        guard keysSupported else { return }
        let value = uniqueToken()
        _ = value.withCString { cshims_fsetxattr(fd, Self.generationAttribute, $0, UInt(strlen($0))) }
    }

    /// Copies a blob's generation onto the flags file being written.
    func record(_ generation: [UInt8]?, on fd: Int32) {
        guard let generation, keysSupported else { return }
        _ = generation.withUnsafeBytes { cshims_fsetxattr(fd, Self.generationAttribute, $0.baseAddress, UInt($0.count)) }
    }

    /// The generation of the blob at `path` (nil: it has none); `notFound`
    /// when there is no blob. Takes the place of the `stat` that checked it.
    func generation(ofBlob path: String) throws(StoreError) -> [UInt8]? {
        if keysSupported {
            switch Self.readGeneration(at: path) {
            case .value(let bytes): return bytes
            case .missingFile: throw .notFound
            case .none: break
            }
        }
        guard Self.exists(path) else { throw .notFound }
        return nil
    }

    /// Whether the flags file at `flagsPath` was set on the blob whose
    /// generation is `blobGeneration`.
    func flagsFile(at flagsPath: String, belongTo blobGeneration: [UInt8]?) -> Bool {
        guard keysSupported else { return true }
        return Self.generations(blob: blobGeneration, flags: Self.readGeneration(at: flagsPath))
    }

    /// The rule: only two generations that are both known can disagree.
    static func generations(blob: [UInt8]?, flags: GenerationRead) -> Bool {
        guard let blob, case .value(let flags) = flags else { return true }
        return blob == flags
    }

    /// What reading a file's generation found.
    enum GenerationRead {
        case value([UInt8])
        /// The file is not there.
        case missingFile
        /// The file has no generation (or the attribute cannot be read).
        case none
    }

    static func readGeneration(at path: String) -> GenerationRead {
        var buffer = [UInt8](repeating: 0, count: 64)
        let count = buffer.withUnsafeMutableBytes { cshims_getxattr(path, generationAttribute, $0.baseAddress, UInt($0.count)) }
        if count > 0 { return .value(Array(buffer.prefix(count))) }
        if count < 0 && (errno == ENOENT || errno == ENOTDIR) { return .missingFile }
        return .none
    }
}
