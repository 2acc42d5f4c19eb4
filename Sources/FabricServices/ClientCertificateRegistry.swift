import Foundation
import GRPCCore
import NIOCore
import NIOSSL
import NIOTLS
import Synchronization

// How a handler learns the client's TLS certificate
// ---------------------------------------------------
// grpc-swift-2 hands a handler a `ServerContext` whose `transportSpecific` a transport may fill.
// nio-transport's stock `HTTP2ServerTransport.Posix` (2.9.2) does fill it with the peer's
// certificate, but its TLS settings offer only "never ask for a client certificate" or "require
// one": NIOSSL's `.optionalVerification` (ask, verify if given, accept if not: Fabric's
// `clientAuthRequired: false`) is not exposed. So ``GRPCEndpoint`` runs nio-transport's
// `HTTP2ServerTransport.Custom` with its own listener (``EndpointListener``) and NIOSSL context, and
// — as `Custom` gives no public hook to fill `transportSpecific` — records each connection's
// certificate itself:
//
// 1. ``ClientCertificateRecorder``, placed after the TLS handler on every accepted connection,
//    stores the leaf certificate in this registry when the handshake completes, keyed by the
//    connection's remote address written the way nio-transport writes `ServerContext.remotePeer`
//    ("ipv4:127.0.0.1:53114"), and removes it when the connection closes. The handshake completes
//    before any HTTP/2 frame is read, so the entry exists before the connection's first RPC.
// 2. ``ClientCertificateInterceptor`` (a `ServerInterceptor` the endpoint installs) looks the
//    RPC's `remotePeer` up and passes the handler a context whose `transportSpecific` is the
//    ``ClientTLSIdentity``.

/// Client certificates of the open TLS connections, by remote address.
///
/// Guarantees: an entry exists from the end of a connection's handshake (if the client presented a
/// certificate) until that connection closes; a closing connection never removes the entry of a
/// newer connection from the same address.
final class ClientCertificateRegistry: Sendable {
    private struct Entry {
        let connection: ObjectIdentifier
        let identity: ClientTLSIdentity
    }

    private let entries = Mutex<[String: Entry]>([:])

    func record(_ identity: ClientTLSIdentity, remotePeer: String, connection: ObjectIdentifier) {
        entries.withLock { $0[remotePeer] = Entry(connection: connection, identity: identity) }
    }

    func remove(remotePeer: String, connection: ObjectIdentifier) {
        entries.withLock { entries in
            if entries[remotePeer]?.connection == connection { entries[remotePeer] = nil }
        }
    }

    func identity(remotePeer: String) -> ClientTLSIdentity? {
        entries.withLock { $0[remotePeer]?.identity }
    }

    var count: Int { entries.withLock { $0.count } }

    /// `address` as nio-transport spells `ServerContext.remotePeer`.
    static func peerKey(_ address: NIOCore.SocketAddress?) -> String? {
        switch address {
        case .v4(let v4)?: return "ipv4:\(v4.host):\(address!.port!)"
        case .v6(let v6)?: return "ipv6:[\(v6.host)]:\(address!.port!)"
        default: return nil
        }
    }
}

/// Records the client's certificate of one TLS connection in a ``ClientCertificateRegistry``.
///
/// Guarantees: passes every event and byte through unchanged.
final class ClientCertificateRecorder: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = NIOAny

    private let registry: ClientCertificateRegistry
    private var key: String?

    init(registry: ClientCertificateRegistry) {
        self.registry = registry
    }

    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        if case TLSUserEvent.handshakeCompleted = event,
           let key = ClientCertificateRegistry.peerKey(context.channel.remoteAddress),
           let handler = try? context.pipeline.syncOperations.handler(type: NIOSSLServerHandler.self),
           let certificate = handler.peerCertificate,
           let der = try? certificate.toDERBytes() {
            self.key = key
            registry.record(ClientTLSIdentity(certificateDER: Data(der)), remotePeer: key,
                            connection: ObjectIdentifier(context.channel))
        }
        context.fireUserInboundEventTriggered(event)
    }

    func channelInactive(context: ChannelHandlerContext) {
        if let key { registry.remove(remotePeer: key, connection: ObjectIdentifier(context.channel)) }
        context.fireChannelInactive()
    }
}

/// Gives each RPC's handler the ``ClientTLSIdentity`` of its connection, in
/// `ServerContext.transportSpecific`.
///
/// Guarantees: leaves the context as it is when the connection has no recorded certificate.
struct ClientCertificateInterceptor: ServerInterceptor {
    let registry: ClientCertificateRegistry

    func intercept<Input: Sendable, Output: Sendable>(
        request: StreamingServerRequest<Input>,
        context: ServerContext,
        next: @Sendable (StreamingServerRequest<Input>, ServerContext) async throws -> StreamingServerResponse<Output>
    ) async throws -> StreamingServerResponse<Output> {
        guard let identity = registry.identity(remotePeer: context.remotePeer) else {
            return try await next(request, context)
        }
        var context = context
        context.transportSpecific = identity
        return try await next(request, context)
    }
}
