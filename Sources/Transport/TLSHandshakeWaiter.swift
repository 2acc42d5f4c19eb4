import NIOCore
import NIOSSL
import NIOTLS

/// Completes `done` when the TLS handshake succeeds, fails it when the handshake or the
/// connection fails first, so async code can await the handshake before using the channel.
final class TLSHandshakeWaiter: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = ByteBuffer
    typealias InboundOut = ByteBuffer
    let done: EventLoopPromise<Void>

    init(done: EventLoopPromise<Void>) { self.done = done }

    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        if case .handshakeCompleted? = event as? TLSUserEvent { done.succeed(()) }
        context.fireUserInboundEventTriggered(event)
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        done.fail(error)
        context.fireErrorCaught(error)
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        // The pipeline went away (e.g. the connection never came up): no handshake will follow.
        done.fail(TransportError.closedBeforeHandshake)
    }

    func channelInactive(context: ChannelHandlerContext) {
        done.fail(TransportError.closedBeforeHandshake)
        context.fireChannelInactive()
    }
}
