import NIOCore
import ServiceLifecycle

/// The operations endpoint as a swift-service-lifecycle `Service`: the bound HTTP server answers
/// until graceful shutdown or cancellation, then its channel is closed.
public struct OperationsService: Service {
    let channel: any Channel

    /// `channel`: what `OperationsServer.start` returned.
    public init(channel: any Channel) { self.channel = channel }

    public func run() async {
        try? await gracefulShutdown()
        try? await channel.close()
    }
}
