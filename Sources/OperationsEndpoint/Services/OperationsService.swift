import NIOCore
import ServiceLifecycle

/// The operations endpoint as a swift-service-lifecycle `Service`: the bound HTTP server answers
/// until graceful shutdown or cancellation, then its channel is closed. A server channel that
/// closes by itself ends `run()` too, so the group stops the node instead of leaving it without
/// `/healthz` and `/metrics`.
public struct OperationsService: Service {
    let channel: any Channel

    /// `channel`: what `OperationsServer.start` returned.
    public init(channel: any Channel) { self.channel = channel }

    public func run() async {
        let channel = channel
        await withTaskGroup(of: Void.self) { group in
            group.addTask { try? await channel.closeFuture.get() }
            group.addTask { try? await gracefulShutdown() }
            _ = await group.next()
            // Closing completes the close future; cancelling ends the wait for shutdown.
            try? await channel.close()
            group.cancelAll()
        }
    }
}
