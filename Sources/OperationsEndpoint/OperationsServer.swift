import NIOCore
import NIOHTTP1
import NIOPosix

/// A plain-HTTP server (NIOHTTP1) for a node's operations routes: `/healthz`, `/metrics`,
/// `/version`, `/logspec`, and on peers `/commits/<channel>`, bound to 127.0.0.1.
///
/// Guarantees: each request is answered once and its connection closed; the routes see the
/// request parsed (`OperationsRequest`) and never see a body over `maximumBodyBytes`.
public enum OperationsServer {
    public typealias Routes = @Sendable (OperationsRequest) async -> OperationsResponse

    /// Bodies above this are refused with 413 (the largest legitimate body, a log spec, is tiny).
    public static let maximumBodyBytes = 1 << 20

    /// Binds and starts serving; close the returned channel to stop. With `port: 0` the system
    /// chooses a free port: read it back with `boundPort(of:)`.
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

    /// The port a server from `start` listens on (the chosen one when started with port 0).
    public static func boundPort(of channel: any Channel) -> Int? { channel.localAddress?.port }
}
