import EventCore

/// The store's calls go through EventCore's `syscall` (EINTR retried,
/// errno named); this only turns its `SystemError` into the store's typed
/// error, with the path for the log.
extension StoreError {
    init(_ failure: SystemError, path: String) {
        self = .system(call: failure.call, errno: failure.errno, path: path)
    }

    /// `syscall(call, body)`, its failure as a `StoreError` about `path`.
    @discardableResult
    static func syscall<T: BinaryInteger>(_ call: String, path: String, _ body: () -> T) throws(StoreError) -> T {
        do {
            return try EventCore.syscall(call, body)
        } catch {
            throw StoreError(error, path: path)
        }
    }
}
