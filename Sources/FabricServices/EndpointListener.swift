import GRPCNIOTransportHTTP2Posix
import NIOCore
import NIOPosix
import NIOSSL

/// The listening socket of a ``GRPCEndpoint``: binds host:port with `SO_REUSEADDR`, puts NIOSSL (when
/// TLS is on) and a ``ClientCertificateRecorder`` in front of nio-transport's HTTP/2 gRPC pipeline on
/// every accepted connection.
///
/// Guarantees: with TLS on, a connection that does not complete a TLS handshake (a plaintext
/// client, a certificate from an unknown CA) never reaches gRPC.
struct EndpointListener: HTTP2ServerTransport.ListenerFactory {
    let host: String
    let port: Int
    let tls: NIOSSLContext?
    let registry: ClientCertificateRegistry
    let eventLoopGroup: any EventLoopGroup

    func makeListeningChannel(
        listenerConfigurator: HTTP2ServerTransport.ListenerConfigurator,
        connectionConfigurator: HTTP2ServerTransport.ConnectionConfigurator
    ) async throws -> NIOAsyncChannel<HTTP2ServerTransport.ConnectionConfigurator.ConnectionChannel, Never> {
        let tls = self.tls
        let registry = self.registry
        return try await ServerBootstrap(group: eventLoopGroup)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .serverChannelInitializer { channel in listenerConfigurator.configure(channel: channel) }
            .bind(host: host, port: port) { channel in
                channel.eventLoop.makeCompletedFuture {
                    if let tls {
                        let pipeline = channel.pipeline.syncOperations
                        try pipeline.addHandler(NIOSSLServerHandler(context: tls))
                        try pipeline.addHandler(ClientCertificateRecorder(registry: registry))
                    }
                }.flatMap {
                    connectionConfigurator.configure(channel: channel, tls: tls == nil ? .none : .configured(requireALPN: false))
                }
            }
    }
}
