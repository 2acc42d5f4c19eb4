import Foundation
import NIOCore
import NIOHTTP1
import NIOPosix

/// A response of the operations endpoint.
public struct OperationsResponse: Sendable {
    public var status: HTTPResponseStatus
    public var contentType: String
    public var body: String

    public init(status: HTTPResponseStatus = .ok, contentType: String = "application/json", body: String) {
        self.status = status
        self.contentType = contentType
        self.body = body
    }

    /// Fabric's `/healthz` shapes: `{"status":"OK","time":…}` or 503 with `failed_checks`.
    public static func health(failedChecks: [(component: String, reason: String)], now: Date = Date()) -> OperationsResponse {
        let time = ISO8601DateFormatter().string(from: now)
        guard !failedChecks.isEmpty else { return OperationsResponse(body: #"{"status":"OK","time":"\#(time)"}"#) }
        let checks = failedChecks.map { #"{"component":"\#($0.component)","reason":"\#($0.reason)"}"# }.joined(separator: ",")
        return OperationsResponse(status: .serviceUnavailable,
                                  body: #"{"status":"Service Unavailable","time":"\#(time)","failed_checks":[\#(checks)]}"#)
    }

    public static let notFound = OperationsResponse(status: .notFound, body: #"{"Error":"not found"}"#)
}

/// A plain-HTTP server for `/healthz`, `/metrics`, `/version` (and `/logspec` on peers), bound to
/// 127.0.0.1. The routes are a function of (method, path, body).
public enum OperationsServer {
    public typealias Routes = @Sendable (HTTPMethod, String, String) async -> OperationsResponse

    /// A node's standard routes: `/healthz` from `failedChecks`, `/metrics` as Prometheus text
    /// from `metrics`, `/version` with `version`, and with a `logger` `/logspec` (GET, PUT).
    public static func nodeRoutes(version: String, logger: NodeLogger? = nil,
                                  failedChecks: @escaping @Sendable () async -> [(component: String, reason: String)],
                                  metrics: @escaping @Sendable () async -> String) -> Routes {
        { method, path, body in
            if path == "/logspec", let logger {
                switch method {
                case .GET:
                    return OperationsResponse(body: #"{"spec":"\#(logger.spec)"}"#)
                case .PUT:
                    struct Spec: Decodable { let spec: String }
                    do {
                        let spec = try JSONDecoder().decode(Spec.self, from: Data(body.utf8)).spec
                        try logger.setSpec(spec)
                        return OperationsResponse(status: .noContent, body: "")
                    } catch let error as LogSpecError {
                        return OperationsResponse(status: .badRequest, body: #"{"Error":"\#(error.description.replacingOccurrences(of: "\"", with: "'"))"}"#)
                    } catch {
                        return OperationsResponse(status: .badRequest, body: #"{"Error":"send {\"spec\":\"info\"} (Fabric's logspec JSON)"}"#)
                    }
                default:
                    return OperationsResponse(status: .methodNotAllowed, body: #"{"Error":"use GET or PUT"}"#)
                }
            }
            guard method == .GET else { return OperationsResponse(status: .methodNotAllowed, body: #"{"Error":"use GET"}"#) }
            switch path {
            case "/healthz": return .health(failedChecks: await failedChecks())
            case "/version": return OperationsResponse(body: #"{"Version":"\#(version)","CommitSHA":"development build"}"#)
            case "/metrics": return OperationsResponse(contentType: "text/plain; version=0.0.4", body: await metrics())
            default: return .notFound
            }
        }
    }

    /// Binds and starts serving; close the returned channel to stop.
    public static func start(host: String = "127.0.0.1", port: Int, group: any EventLoopGroup = MultiThreadedEventLoopGroup.singleton,
                             routes: @escaping Routes) async throws -> any Channel {
        try await ServerBootstrap(group: group)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .childChannelInitializer { channel in
                channel.pipeline.configureHTTPServerPipeline().flatMap {
                    channel.eventLoop.makeCompletedFuture {
                        try channel.pipeline.syncOperations.addHandler(OperationsHandler(routes: routes))
                    }
                }
            }
            .bind(host: host, port: port).get()
    }
}

/// Collects one request, asks the routes, writes the answer.
final class OperationsHandler: ChannelInboundHandler {
    typealias InboundIn = HTTPServerRequestPart
    typealias OutboundOut = HTTPServerResponsePart

    let routes: OperationsServer.Routes
    private var head: HTTPRequestHead?
    private var body = ""

    init(routes: @escaping OperationsServer.Routes) { self.routes = routes }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        switch unwrapInboundIn(data) {
        case .head(let head):
            self.head = head
            body = ""
        case .body(let buffer):
            body += String(buffer: buffer)
        case .end:
            guard let head else { return }
            let routes = self.routes, body = self.body
            let path = String(head.uri.split(separator: "?").first ?? "")
            let loopBound = NIOLoopBound(context, eventLoop: context.eventLoop)
            context.eventLoop.makeFutureWithTask { await routes(head.method, path, body) }.whenSuccess { response in
                let context = loopBound.value
                var headers = HTTPHeaders()
                headers.add(name: "Content-Type", value: response.contentType)
                headers.add(name: "Content-Length", value: String(response.body.utf8.count))
                headers.add(name: "Connection", value: "close")
                context.write(self.wrapOutboundOut(.head(HTTPResponseHead(version: head.version, status: response.status, headers: headers))), promise: nil)
                context.write(self.wrapOutboundOut(.body(.byteBuffer(ByteBuffer(string: response.body)))), promise: nil)
                context.writeAndFlush(self.wrapOutboundOut(.end(nil))).whenComplete { _ in context.close(promise: nil) }
            }
        }
    }
}
