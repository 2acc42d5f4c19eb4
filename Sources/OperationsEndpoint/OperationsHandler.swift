import NIOCore
import NIOHTTP1

/// The HTTP framing of the operations endpoint: collects one request (head, body up to
/// `OperationsServer.maximumBodyBytes`), hands it to the routes, writes their answer and closes.
///
/// Guarantees: a body over the limit is not kept (its bytes are read and dropped, so the client
/// gets to read the answer) and is answered 413; a request target that is not a path is
/// answered 400; the routes run off the event loop.
final class OperationsHandler: ChannelInboundHandler {
    typealias InboundIn = HTTPServerRequestPart
    typealias OutboundOut = HTTPServerResponsePart

    let routes: OperationsServer.Routes
    private var head: HTTPRequestHead?
    private var body = ByteBuffer()
    private var tooLarge = false

    init(routes: @escaping OperationsServer.Routes) { self.routes = routes }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        switch unwrapInboundIn(data) {
        case .head(let head):
            self.head = head
            body.clear()
            let declared = head.headers.first(name: "Content-Length").flatMap { Int($0) } ?? 0
            tooLarge = declared > OperationsServer.maximumBodyBytes
        case .body(var buffer):
            guard !tooLarge else { return }
            if body.readableBytes + buffer.readableBytes > OperationsServer.maximumBodyBytes {
                tooLarge = true
                body = ByteBuffer()
            } else {
                body.writeBuffer(&buffer)
            }
        case .end:
            guard let head else { return }
            self.head = nil
            if tooLarge {
                return write(.error(.payloadTooLarge, "the body is over \(OperationsServer.maximumBodyBytes) bytes, the most this endpoint reads; send a smaller one"),
                             version: head.version, context: context)
            }
            let request: OperationsRequest
            do {
                request = try OperationsRequest(method: head.method, uri: head.uri, body: String(buffer: body))
            } catch {
                return write(.error(.badRequest, error.description), version: head.version, context: context)
            }
            let routes = self.routes
            let bound = NIOLoopBound((handler: self, context: context), eventLoop: context.eventLoop)
            context.eventLoop.makeFutureWithTask { await routes(request) }.whenSuccess { response in
                bound.value.handler.write(response, version: head.version, context: bound.value.context)
            }
        }
    }

    private func write(_ response: OperationsResponse, version: HTTPVersion, context: ChannelHandlerContext) {
        var headers = HTTPHeaders()
        if response.status != .noContent {  // a 204 has neither (RFC 9110 8.6, 15.3.5)
            headers.add(name: "Content-Type", value: response.contentType)
            headers.add(name: "Content-Length", value: String(response.body.utf8.count))
        }
        headers.add(name: "Connection", value: "close")
        for header in response.headers { headers.add(name: header.name, value: header.value) }
        context.write(wrapOutboundOut(.head(HTTPResponseHead(version: version, status: response.status, headers: headers))), promise: nil)
        context.write(wrapOutboundOut(.body(.byteBuffer(ByteBuffer(string: response.body)))), promise: nil)
        context.writeAndFlush(wrapOutboundOut(.end(nil))).assumeIsolated().whenComplete { _ in context.close(promise: nil) }
    }
}
