import BlobProtocol

/// Where a blob lives, kept instead of its path by what only needs the
/// path for a log line: the path is made when one is written.
struct BlobLocation {
    let store: BlobStore
    let user: BlobName
    let namespace: BlobName
    let id: BlobName

    var path: String { store.blobPath(user, namespace, id) }
}
