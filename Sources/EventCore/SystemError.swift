#if canImport(Glibc)
import Glibc
#endif

/// A failed system call: its name and errno, printed as one line.
public struct SystemError: Error, CustomStringConvertible, Sendable {
    public let call: String
    public let errno: Int32

    public init(call: String, errno: Int32) {
        self.call = call
        self.errno = errno
    }

    public var description: String { "\(call): \(String(cString: strerror(errno)))" }
}

/// EINTR, for `syscall`: an inlinable function may not name the C constant
/// itself (it comes through another module's headers).
@usableFromInline let interruptedCall: Int32 = EINTR

/// Runs a system call, retrying while it fails with EINTR, and throws
/// `SystemError` with the call's name for any other failure (a result < 0).
/// Inlinable so each caller gets it specialized: across modules, the
/// generic version compared and converted through BinaryInteger's witness
/// table, ~150 instructions a call.
@inlinable @discardableResult
public func syscall<T: BinaryInteger>(_ call: String, _ body: () -> T) throws(SystemError) -> T {
    while true {
        let result = body()
        if result >= 0 { return result }
        let code = Glibc.errno
        if code != interruptedCall { throw SystemError(call: call, errno: code) }
    }
}
