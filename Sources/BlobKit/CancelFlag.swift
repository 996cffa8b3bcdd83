import Synchronization

/// Set on the loop when a listing's client is gone, read by the background
/// step still walking for it, which then stops early.
final class CancelFlag: Sendable {
    private let value = Atomic<Bool>(false)

    func cancel() { value.store(true, ordering: .relaxed) }
    var isCancelled: Bool { value.load(ordering: .relaxed) }
}
