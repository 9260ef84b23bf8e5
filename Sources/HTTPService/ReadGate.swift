import NIOCore

/// First in a connection's pipeline: holds reads back while a response is in flight (a pipelining client waits in
/// its own socket buffer, not in ours), and tells the connection when bytes arrive, before they are decoded (a
/// request head's first byte starts its timeout).
final class ReadGate: ChannelDuplexHandler {
    typealias InboundIn = ByteBuffer
    typealias InboundOut = ByteBuffer
    typealias OutboundIn = Any
    typealias OutboundOut = Any

    /// Called for each read, before the bytes go on.
    var bytesArrived: (() -> Void)?
    private var paused = false
    private var readWanted = false
    private var context: ChannelHandlerContext?

    func handlerAdded(context: ChannelHandlerContext) { self.context = context }
    func handlerRemoved(context: ChannelHandlerContext) { self.context = nil }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        bytesArrived?()
        context.fireChannelRead(data)
    }

    func read(context: ChannelHandlerContext) {
        if paused { readWanted = true } else { context.read() }
    }

    func pause() { paused = true }

    func resume() {
        paused = false
        if readWanted, let context {
            readWanted = false
            context.read()
        }
    }
}
