/// A running worker's liveness probing: when the next probe is due and how
/// many probes in a row it has failed. A worker that stops answering
/// (deadlock, SIGSTOP, a stuck disk) would otherwise keep its slot forever.
public struct Liveness: Equatable, Sendable {
    public var nextProbe: Double
    public var failures: Int

    public init(nextProbe: Double, failures: Int = 0) {
        self.nextProbe = nextProbe
        self.failures = failures
    }
}
