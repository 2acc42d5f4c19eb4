import GRPCCore
import GRPCNIOTransportHTTP2Posix
import Logging
import NIOCore
import NIOPosix
import NIOSSL
import ServiceLifecycle

/// A node's outside-facing gRPC server (Fabric's AtomicBroadcast, Deliver, Gateway…): a
/// swift-service-lifecycle `Service` running grpc-swift-2's `GRPCServer` over nio-transport's
/// HTTP/2 on `host:port`.
///
/// Guarantees:
/// - ``run()`` serves until graceful shutdown or cancellation, then stops accepting, lets running
///   RPCs finish, and returns; it can run once.
/// - ``port`` answers the bound port (useful with port 0) once ``run()`` has bound it.
/// - With TLS, see ``GRPCEndpointTLS``; each RPC's handler finds the client's certificate with
///   ``ClientTLSIdentity/of(_:)`` (how: ClientCertificateRegistry.swift).
public final class GRPCEndpoint: Service, Sendable {
    /// Plaintext (tests, or behind a TLS-terminating proxy) or TLS.
    public enum Security: Sendable {
        case plaintext
        case tls(GRPCEndpointTLS)
    }

    public let host: String
    public let requestedPort: Int
    private let server: GRPCServer<HTTP2ServerTransport.Custom<EndpointListener>>
    private let transport: HTTP2ServerTransport.Custom<EndpointListener>
    private let logger: Logger
    /// The client certificates of open connections (internal: tests check entries go away).
    let clientCertificates: ClientCertificateRegistry

    /// Prepares the server (the TLS context is built now, so bad material fails here, not in
    /// ``run()``). `port` 0 picks a free port.
    public init(host: String, port: Int, security: Security, services: [any RegistrableRPCService],
                logger: Logger = Logger(label: "fabnet.grpc")) throws {
        let registry = ClientCertificateRegistry()
        let tls: NIOSSLContext?
        switch security {
        case .plaintext: tls = nil
        case .tls(let settings): tls = try settings.makeContext()
        }
        let listener = EndpointListener(host: host, port: port, tls: tls, registry: registry,
                                        eventLoopGroup: MultiThreadedEventLoopGroup.singleton)
        transport = HTTP2ServerTransport.Custom(listenerFactory: listener)
        server = GRPCServer(transport: transport, services: services,
                            interceptors: [ClientCertificateInterceptor(registry: registry)])
        self.clientCertificates = registry
        self.host = host
        self.requestedPort = port
        self.logger = logger
    }

    /// The port the server listens on. Waits until ``run()`` has bound it; throws
    /// ``GRPCEndpointError/notListening(host:port:)`` if the bind failed or the server stopped.
    public var port: Int {
        get async throws {
            let address = await transport.listeningAddress
            guard let port = address?.ipv4?.port ?? address?.ipv6?.port else {
                throw GRPCEndpointError.notListening(host: host, port: requestedPort)
            }
            return port
        }
    }

    public func run() async throws {
        let server = self.server
        logger.debug("gRPC endpoint starting", metadata: ["host": "\(host)", "port": "\(requestedPort)"])
        try await withTaskCancellationOrGracefulShutdownHandler {
            try await server.serve()
        } onCancelOrGracefulShutdown: {
            server.beginGracefulShutdown()
        }
        logger.debug("gRPC endpoint stopped", metadata: ["host": "\(host)"])
    }
}
