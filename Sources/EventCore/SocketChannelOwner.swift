/// What a `SocketChannel` tells the connection that owns it.
public protocol SocketChannelOwner: AnyObject {
    func channelReadable()
    func channelWritable()
}
