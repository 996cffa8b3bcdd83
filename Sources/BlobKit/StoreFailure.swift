import Logging
#if canImport(Glibc)
import Glibc
#endif

/// A store error that is the store's fault rather than the request's
/// outcome (a missing blob, a taken id and a full quota are answers, not
/// failures): the kinds an operator counts and alerts on.
public enum StoreFailure: String, CaseIterable, Sendable {
    case diskFull = "disk_full"
    case permission
    case descriptors
    /// A network store's mount that lost its servers (ENOTCONN).
    case unreachable
    case io
    case ledgerBusy = "ledger_busy"
    case corruptFlags = "corrupt_flags"

    init?(_ error: StoreError) {
        switch error {
        case .ledgerBusy: self = .ledgerBusy
        case .corruptFlags: self = .corruptFlags
        case .system(_, let code, _): self.init(errno: code)
        case .notFound, .exists, .alreadyDone, .quotaExceeded, .unknownFlag: return nil
        }
    }

    /// What a failed system call's errno means for the store: the one
    /// place errnos are sorted, for the counts and for StoreError's answers.
    init(errno code: Int32) {
        switch code {
        case ENOSPC, EDQUOT: self = .diskFull
        case EACCES, EPERM, EROFS: self = .permission
        case EMFILE, ENFILE: self = .descriptors
        case ENOTCONN: self = .unreachable
        default: self = .io
        }
    }
}

/// Counts store failures (the worker's metrics); called on the loop.
public protocol StoreFailureCounter: AnyObject, Sendable {
    func count(_ failure: StoreFailure)
}

/// Where a handler reports a failed request: the log, and the counts.
struct FailureReport: Sendable {
    let logger: Logger
    let counter: StoreFailureCounter?
}
