#if canImport(Glibc)
import Glibc
#endif

/// Runs a system call, retrying EINTR; a result below zero throws
/// `StoreError.system` naming the call.
@discardableResult
func storeCall<T: BinaryInteger>(_ call: String, _ body: () -> T) throws(StoreError) -> T {
    while true {
        let result = body()
        if result >= 0 { return result }
        let code = errno
        if code != EINTR { throw StoreError.system(call: call, errno: code) }
    }
}
