import FabricWire
import Foundation
import GRPCCore
import GRPCNIOTransportHTTP2Posix
import Orchestrator

/// A Gateway client on its own TLS connection to one peer, as the benches' clients use it.
///
/// Guarantees: the server's certificate is verified against the given roots (the peer orgs' TLS
/// CAs); the connection is closed when `body` returns or throws.
enum GatewayConnection {
    static func with<T: Sendable>(host: String = "127.0.0.1", port: Int, trustRootsPEM: [Data],
                                  _ body: @escaping @Sendable (Gateway_Gateway.Client<HTTP2ClientTransport.Posix>) async throws -> T) async throws -> T {
        let security = HTTP2ClientTransport.Posix.TransportSecurity.tls(.init(
            certificateChain: [], privateKey: nil, serverCertificateVerification: .fullVerification,
            trustRoots: .certificates(trustRootsPEM.map { .bytes(Array($0), format: .pem) })))
        let transport = try HTTP2ClientTransport.Posix(target: .ipv4(address: host, port: port), transportSecurity: security)
        return try await withGRPCClient(transport: transport) { grpc in try await body(Gateway_Gateway.Client(wrapping: grpc)) }
    }

    /// The TLS CA certificates (PEM) of the orgs that have peers: what a Gateway client trusts.
    static func peerTLSRoots(_ clients: NodeClients) throws -> [Data] {
        try clients.spec.organizations.filter { !$0.peers.isEmpty }.map {
            try Data(contentsOf: clients.layout.tlsCADirectory($0).appendingPathComponent(clients.layout.tlsCACertificateName($0)))
        }
    }
}
