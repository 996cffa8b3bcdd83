import EventCore

/// What the command needs of either mode.
public protocol BalancerFront: AnyObject {
    var address: SocketAddress { get }
    var connectionCount: Int { get }
    func stopAccepting()
    func close()
}
