import EventCore

/// What the command needs of either mode.
public protocol BalancerFront: AnyObject {
    var address: SocketAddress { get }
    /// The socket shared with other balancers (`--listen-fd`), if any.
    var sharedAddress: SocketAddress? { get }
    var connectionCount: Int { get }
    /// Client connections open now (a gauge of the metrics).
    var sessionCount: Int { get }
    func stopAccepting()
    func close()
}
