import BlobProtocol
/// A validated user and namespace: the pair every endpoint works in.
struct UserNamespace: Sendable {
    let user: BlobName
    let namespace: BlobName
}
