#if canImport(Glibc)
import Glibc
#endif

/// Why a store operation failed. Each case has the status a handler answers
/// with and a one-line reason; handlers never invent their own for these.
/// A system failure keeps the path it concerned for the log only: no
/// answer names a file of the store.
public enum StoreError: Error, Equatable, Sendable {
    case notFound
    case exists
    /// What was asked was already done by a request with the same
    /// idempotency key: the handler answers the original 200.
    case alreadyDone
    case quotaExceeded
    /// The user's usage ledger stayed locked by another worker (stopped,
    /// hung, or walking the user's tree) past `--quota-lock-wait`: a 503
    /// with `Retry-After: 1`, nothing changed, rather than a stalled loop.
    case ledgerBusy
    /// A stored `.flags` file that is not a JSON list (written behind our back).
    case corruptFlags
    case unknownFlag(String)
    /// A system call failed on `path` (logged, never sent to a client).
    case system(call: String, errno: Int32, path: String)

    public var status: Int {
        switch self {
        case .notFound: return 404
        case .corruptFlags: return 500
        case .exists: return 409
        case .alreadyDone: return 200
        case .unknownFlag: return 406
        case .quotaExceeded: return 507
        case .ledgerBusy: return 503
        case .system(_, let code, _):
            switch StoreFailure(errno: code) {
            case .diskFull: return 507
            case .unreachable: return 503
            default: return 500
            }
        }
    }

    /// The one line a client is told.
    public var reason: String {
        switch self {
        case .notFound: return "no such blob"
        case .exists: return "blob already exists"
        case .alreadyDone: return "already done (same Idempotency-Key)"
        case .quotaExceeded: return "user quota exceeded"
        case .ledgerBusy: return "quota ledger busy, retry"
        case .corruptFlags: return "the blob's stored flags are unreadable"
        case .unknownFlag(let flag): return "unknown flag '\(flag)': use PENDING, PROCESSING, PROCESSED or FAILED"
        case .system(let call, let code, _):
            switch StoreFailure(errno: code) {
            case .diskFull: return "disk full (\(call))"
            case .permission: return "permission denied in the store (\(call))"
            case .unreachable: return "store unreachable, retry (\(call))"
            default: return "store error: \(call): \(String(cString: strerror(code)))"
            }
        }
    }

    /// Seconds the answer's `Retry-After` tells the client to wait, for the
    /// failures that pass by themselves: a ledger another worker holds, and a
    /// network store's mount that lost its servers (FUSE's ENOTCONN, e.g. a
    /// GlusterFS host cut off, until its ping-timeout gives up on it).
    public var retryAfter: Int? {
        switch self {
        case .ledgerBusy: return 1
        case .system(_, let code, _): return StoreFailure(errno: code) == .unreachable ? 1 : nil
        default: return nil
        }
    }

    /// The reason with the path, for the operator's log.
    public var logDescription: String {
        guard case .system(_, _, let path) = self else { return reason }
        return "\(reason) on \(path)"
    }
}
