/// Where a batch of whole log lines goes, in one `write(2)`: a file, or a
/// fake in the tests.
public protocol LogWriter: AnyObject {
    /// Writes all of `bytes`; returns nil, or the errno of the failure
    /// (what was not written is dropped by the caller).
    func write(_ bytes: UnsafeRawBufferPointer) -> Int32?
}
