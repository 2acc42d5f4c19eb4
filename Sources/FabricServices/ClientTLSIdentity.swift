import Crypto
import Foundation
import GRPCCore

/// The TLS certificate a client presented on the connection an RPC arrived on.
///
/// Guarantees: `certificateHash` is SHA-256 of `certificateDER`, the value Fabric clients put in
/// `ChannelHeader.tls_cert_hash`; the certificate chained to one of the endpoint's client trust roots
/// (the TLS handshake refused it otherwise). A handler finds it with ``ClientTLSIdentity/of(_:)``:
/// nil means the client presented no certificate, or the endpoint is plaintext.
public struct ClientTLSIdentity: ServerContext.TransportSpecific, Sendable, Equatable {
    /// The leaf certificate, DER.
    public let certificateDER: Data
    /// SHA-256 of `certificateDER`.
    public let certificateHash: Data

    public init(certificateDER: Data) {
        self.certificateDER = certificateDER
        self.certificateHash = Data(SHA256.hash(data: certificateDER))
    }

    /// The identity ``GRPCEndpoint`` attached to this RPC's context, if the client presented one.
    public static func of(_ context: ServerContext) -> ClientTLSIdentity? {
        context.transportSpecific as? ClientTLSIdentity
    }
}
