import BlobProtocol

/// A dotted name the store writes and removes again: a blob or flags file
/// in flight (`.{id}.{pid}-{rand}-{n}`, `.{id}.flags.{pid}-{rand}-{n}`, see
/// `BlobStore.temporaryName`) or a start-up probe in the root
/// (`.healthcheck.{pid}-{rand}`, `.xattr-probe.{pid}-{rand}`). A crash
/// leaves them behind; the pid says which writer, on some host, made one.
struct TemporaryName: Equatable {
    enum Kind: Equatable {
        case blob(id: String)
        case flags(id: String)
        case probe
    }

    let kind: Kind
    /// The writer's pid, when the name carries one.
    let writerPID: Int32?

    /// Names of probes, found only in the store's root.
    static let probePrefixes = [".healthcheck.", ".xattr-probe."]

    /// Parses a name found in a blob's leaf directory.
    init?(leaf name: String) {
        guard name.hasPrefix("."), let dot = name.dropFirst().firstIndex(of: ".") else { return nil }
        let id = String(name[name.index(after: name.startIndex)..<dot])
        guard BlobName.isValid(id) else { return nil }
        var tag = name[name.index(after: dot)...]
        if tag.hasPrefix("flags.") {
            tag = tag.dropFirst("flags.".count)
            kind = .flags(id: id)
        } else {
            kind = .blob(id: id)
        }
        guard !tag.isEmpty else { return nil }
        writerPID = WriterProcess(tag: tag)?.pid
    }

    /// Parses a name found in the store's root.
    init?(root name: String) {
        guard let prefix = Self.probePrefixes.first(where: { name.hasPrefix($0) }) else { return nil }
        let tag = name.dropFirst(prefix.count)
        guard !tag.isEmpty else { return nil }
        kind = .probe
        writerPID = WriterProcess(tag: tag)?.pid
    }
}

extension TemporaryName {
    /// The id a blob or flags temporary belongs to; nil for a probe.
    var id: String? {
        switch kind {
        case .blob(let id), .flags(let id): return id
        case .probe: return nil
        }
    }
}
