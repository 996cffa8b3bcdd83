import EventCore

/// What the command needs of either mode.
public protocol BalancerFront: AnyObject {
    var address: SocketAddress { get }
    /// The socket shared with other balancers (`--listen-fd`), if any.
    var sharedAddress: SocketAddress? { get }
    var connectionCount: Int { get }
    func stopAccepting()
    func close()
}
