import Foundation
import NIOSSL

/// The TLS side of a ``GRPCEndpoint``: the node's certificate chain and key, and which client
/// certificates it accepts.
///
/// Guarantees: the endpoint offers only TLS 1.2 and later, negotiates ALPN `h2` (Python's grpcio
/// refuses a server that does not), and accepts a client certificate only if it chains to one of
/// `clientTrustRoots`. With ``ClientCertificates/optional`` a client may present none (Fabric's
/// `clientAuthRequired: false`); with ``ClientCertificates/required`` it must.
public struct GRPCEndpointTLS: Sendable {
    /// Whether clients must present a certificate.
    public enum ClientCertificates: Sendable, Equatable {
        case optional
        case required
    }

    public var certificateChain: [NIOSSLCertificate]
    public var privateKey: NIOSSLPrivateKey
    public var clientTrustRoots: [NIOSSLCertificate]
    public var clientCertificates: ClientCertificates

    public init(certificateChain: [NIOSSLCertificate], privateKey: NIOSSLPrivateKey,
                clientTrustRoots: [NIOSSLCertificate], clientCertificates: ClientCertificates = .optional) {
        self.certificateChain = certificateChain
        self.privateKey = privateKey
        self.clientTrustRoots = clientTrustRoots
        self.clientCertificates = clientCertificates
    }

    /// Reads PEM files: the node's certificate (chain), its private key, and the CA certificates
    /// whose clients are accepted (each file may hold several).
    public static func load(certificateChainPEM: URL, privateKeyPEM: URL, clientTrustRootsPEM: [URL],
                            clientCertificates: ClientCertificates = .optional) throws -> GRPCEndpointTLS {
        func read<T>(_ url: URL, _ what: String, _ parse: ([UInt8]) throws -> T) throws -> T {
            let bytes: [UInt8]
            do { bytes = Array(try Data(contentsOf: url)) } catch {
                throw GRPCEndpointError.unreadableFile(path: url.path, what: what, cause: "\(error)")
            }
            do { return try parse(bytes) } catch {
                throw GRPCEndpointError.unreadableFile(path: url.path, what: what, cause: "not PEM of that kind: \(error)")
            }
        }
        let chain = try read(certificateChainPEM, "the TLS certificate chain") { try NIOSSLCertificate.fromPEMBytes($0) }
        guard !chain.isEmpty else {
            throw GRPCEndpointError.unreadableFile(path: certificateChainPEM.path, what: "the TLS certificate chain",
                                                   cause: "it holds no certificate")
        }
        let key = try read(privateKeyPEM, "the TLS private key") { try NIOSSLPrivateKey(bytes: $0, format: .pem) }
        let roots = try clientTrustRootsPEM.flatMap { url in
            try read(url, "a client TLS trust root") { try NIOSSLCertificate.fromPEMBytes($0) }
        }
        return GRPCEndpointTLS(certificateChain: chain, privateKey: key, clientTrustRoots: roots,
                               clientCertificates: clientCertificates)
    }

    func makeContext() throws -> NIOSSLContext {
        var configuration = TLSConfiguration.makeServerConfiguration(
            certificateChain: certificateChain.map { .certificate($0) }, privateKey: .privateKey(privateKey))
        configuration.minimumTLSVersion = .tlsv12
        configuration.applicationProtocols = ["h2"]
        configuration.trustRoots = .certificates(clientTrustRoots)
        configuration.certificateVerification = clientCertificates == .required ? .noHostnameVerification : .optionalVerification
        do { return try NIOSSLContext(configuration: configuration) } catch {
            throw GRPCEndpointError.badTLSConfiguration(cause: "\(error)")
        }
    }
}
