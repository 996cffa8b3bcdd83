/// How many listings one worker runs at once, and how many more may wait:
/// each running listing holds a walk (a few descriptors, a thread while a
/// chunk is made, and for `order_by` every id), so the bound is what keeps
/// fifty parallel listings of a huge namespace from taking the worker's
/// memory. Beyond running + waiting a listing gets 503. Used on the loop.
public final class ListingGate {
    public let maxRunning: Int
    public let maxWaiting: Int
    private var running = 0
    private var waiting: [(ListingSlot) -> Void] = []

    public init(maxRunning: Int, maxWaiting: Int) {
        precondition(maxRunning >= 1 && maxWaiting >= 0)
        self.maxRunning = maxRunning
        self.maxWaiting = maxWaiting
    }

    /// Whether `enter` would run or queue a listing rather than refuse it.
    var hasRoom: Bool { running < maxRunning || waiting.count < maxWaiting }

    /// Listings running now, and waiting for a slot (for metrics and tests).
    public var load: (running: Int, waiting: Int) { (running, waiting.count) }

    /// Runs `start` with a slot now, or once one is free (check `hasRoom`
    /// first); the listing releases the slot when its walk is over.
    func enter(_ start: @escaping (ListingSlot) -> Void) {
        guard running < maxRunning else { return waiting.append(start) }
        running += 1
        start(ListingSlot(gate: self))
    }

    fileprivate func leave() {
        if waiting.isEmpty {
            running -= 1
        } else {
            let start = waiting.removeFirst()  // the slot passes on: `running` stays
            start(ListingSlot(gate: self))
        }
    }
}

/// One running listing's place in the gate; released once, when its walk
/// ended, failed or was abandoned by a client that left.
final class ListingSlot {
    private var gate: ListingGate?

    fileprivate init(gate: ListingGate) { self.gate = gate }

    func release() {
        let held = gate
        gate = nil
        held?.leave()
    }
}
