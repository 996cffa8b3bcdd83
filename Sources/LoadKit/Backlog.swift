/// Actions that are due but wait for a free connection, oldest first: the
/// due times (microseconds from the run's start) in a ring of fixed
/// capacity, so a stalled server cannot make the client grow without bound;
/// an action that finds it full is dropped by the caller.
struct Backlog {
    private var ring: [UInt64]
    private var head = 0
    private(set) var count = 0

    init(capacity: Int) {
        precondition(capacity > 0, "a backlog holds at least one action")
        ring = Array(repeating: 0, count: capacity)
    }

    var capacity: Int { ring.count }
    var isEmpty: Bool { count == 0 }

    /// Appends `due`; false when full (the action is not kept).
    mutating func push(_ due: UInt64) -> Bool {
        guard count < ring.count else { return false }
        ring[(head + count) % ring.count] = due
        count += 1
        return true
    }

    /// The oldest due time, removed; nil when empty.
    mutating func pop() -> UInt64? {
        guard count > 0 else { return nil }
        let due = ring[head]
        head = (head + 1) % ring.count
        count -= 1
        return due
    }
}
