/// A change the balancer must hear of, in haproxy's words: `add` puts a
/// healthy worker in the rotation, `drain` gives it no new connections or
/// requests while its own finish, `remove` forgets it (it is gone). The
/// shell sends it as a `ControlCommand` line.
public enum BalancerUpdate: Equatable, Sendable {
    case add(port: Int)
    case drain(port: Int)
    case remove(port: Int)
}
