#if canImport(Glibc)
import Glibc
#endif

/// TEST ONLY: `BLOB_SERVER_CRASH_AFTER=delete:2` (or `flags:1`, `put:1`,
/// `quota:1`)
/// makes the worker die with `_exit(137)`, as `kill -9` would, right after
/// step k of that store operation, so tests can check that every crash
/// point leaves an allowed state. Read once, at start; unset, it costs one
/// comparison with nil per step.
public struct CrashPoint: Equatable, Sendable {
    /// The store operations with numbered steps (see BlobStore.delete,
    /// setFlags and BlobWriter.commit for what each step is; `quota:1` is
    /// after a commit or DELETE marked the usage ledger pending, before
    /// its link or unlink, see BlobStore+Quota).
    public enum Operation: String, Sendable {
        case put, delete, flags, quota
    }

    public static let environmentVariable = "BLOB_SERVER_CRASH_AFTER"

    public let operation: Operation
    public let step: Int

    public init(_ operation: Operation, step: Int) {
        self.operation = operation
        self.step = step
    }

    /// `operation:step`, or nil for anything else.
    public init?(_ text: String) {
        let parts = text.split(separator: ":")
        guard parts.count == 2, let operation = Operation(rawValue: String(parts[0])),
              let step = Int(parts[1]), step > 0 else { return nil }
        self.init(operation, step: step)
    }

    /// The crash point the environment asks for, if any.
    public static func fromEnvironment() -> CrashPoint? {
        guard let value = getenv(environmentVariable) else { return nil }
        return CrashPoint(String(cString: value))
    }
}

extension Optional where Wrapped == CrashPoint {
    /// Dies at once if this is the crash point for `step` of `operation`.
    func reached(_ operation: CrashPoint.Operation, step: Int) {
        if let point = self, point.operation == operation, point.step == step { _exit(137) }
    }
}
