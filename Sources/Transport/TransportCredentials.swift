import FabnetCrypto
import Foundation
import NIOSSL

/// Everything a node needs to open and accept authenticated connections: its MSP signing
/// identity (for the handshake), its TLS key pair, the TLS roots of every org it talks to, and
/// the validator that decides whose identities are accepted.
public struct TransportCredentials: Sendable {
    public let signer: SigningIdentity
    public let tlsCertificateChain: [NIOSSLCertificate]
    public let tlsPrivateKey: NIOSSLPrivateKey
    public let tlsTrustRoots: [NIOSSLCertificate]
    public let validator: MembershipValidator
    /// Contexts, handshake and validated identities shared by every connection (and copy).
    public let caches: TransportCaches
    /// SHA-256 of this node's own TLS certificate (DER), sent in the handshake.
    public internal(set) var tlsCertificateHash: [UInt8]
    /// A node's fault switch (`fabnet fault`): every transport made with these credentials uses
    /// it. Nil for clients and admins.
    public var faults: FaultSwitch?

    public init(signer: SigningIdentity, tlsCertificatePEM: String, tlsKeyPEM: String, tlsTrustRootsPEM: [String],
                validator: MembershipValidator) throws {
        self.signer = signer
        tlsCertificateChain = try NIOSSLCertificate.fromPEMBytes(Array(tlsCertificatePEM.utf8))
        tlsPrivateKey = try NIOSSLPrivateKey(bytes: Array(tlsKeyPEM.utf8), format: .pem)
        tlsTrustRoots = try tlsTrustRootsPEM.flatMap { try NIOSSLCertificate.fromPEMBytes(Array($0.utf8)) }
        self.validator = validator
        caches = TransportCaches(validator: validator)
        guard let leaf = tlsCertificateChain.first else { throw TransportError.handshakeRefused(reason: "no TLS certificate in the PEM") }
        tlsCertificateHash = TLSBinding.hash(of: try leaf.toDERBytes())
    }

    /// A node's or user's credentials from crypto material: its MSP folder (signing identity),
    /// its TLS folder (`server.*` or `client.*`), and the MSP folders of the orgs it accepts
    /// (their `cacerts/` validate identities, their `tlscacerts/` are the TLS trust roots).
    public static func load(mspDirectory: URL, tlsDirectory: URL, mspID: String,
                            organizations: [(mspID: String, mspDirectory: URL)]) throws -> TransportCredentials {
        let local = try LocalMSP.load(directory: mspDirectory, mspID: mspID)
        guard let signer = local.signingIdentity else {
            throw IdentityError.missingFile(path: mspDirectory.appendingPathComponent("signcerts").path)
        }
        let isServer = FileManager.default.fileExists(atPath: tlsDirectory.appendingPathComponent("server.crt").path)
        let name = isServer ? "server" : "client"
        func read(_ file: String) throws -> String {
            let url = tlsDirectory.appendingPathComponent(file)
            guard let text = try? String(contentsOf: url, encoding: .utf8) else { throw IdentityError.missingFile(path: url.path) }
            return text
        }
        let orgs = try organizations.map { try LocalMSP.load(directory: $0.mspDirectory, mspID: $0.mspID) }
        return try TransportCredentials(
            signer: signer, tlsCertificatePEM: try read("\(name).crt"), tlsKeyPEM: try read("\(name).key"),
            tlsTrustRootsPEM: orgs.flatMap(\.tlsCACertificatesPEM),
            validator: MembershipValidator(organizations: try orgs.map { try $0.organizationRoots() }))
    }

    /// The server side: requires and verifies a client certificate from one of the trust roots.
    func serverContext() throws -> NIOSSLContext {
        try caches.serverContext(makeServerContext)
    }

    /// The client side: presents our certificate, verifies the server's chain and name (or IP).
    func clientContext() throws -> NIOSSLContext {
        try caches.clientContext(makeClientContext)
    }

    private func makeServerContext() throws -> NIOSSLContext {
        var configuration = TLSConfiguration.makeServerConfiguration(
            certificateChain: tlsCertificateChain.map { .certificate($0) }, privateKey: .privateKey(tlsPrivateKey))
        configuration.trustRoots = .certificates(tlsTrustRoots)
        configuration.certificateVerification = .noHostnameVerification
        configuration.minimumTLSVersion = .tlsv12
        return try NIOSSLContext(configuration: configuration)
    }

    private func makeClientContext() throws -> NIOSSLContext {
        var configuration = TLSConfiguration.makeClientConfiguration()
        configuration.certificateChain = tlsCertificateChain.map { .certificate($0) }
        configuration.privateKey = .privateKey(tlsPrivateKey)
        configuration.trustRoots = .certificates(tlsTrustRoots)
        configuration.certificateVerification = .fullVerification
        configuration.minimumTLSVersion = .tlsv12
        // X25519 (P-256 as a fallback): BoringSSL's default offers the post-quantum hybrid
        // X25519MLKEM768 first, whose ML-KEM part was about a fifth of each handshake's CPU.
        // Both ends are fabnet processes on one host; a 100-peer start makes thousands of these
        // handshakes.
        configuration.curves = [.x25519, .secp256r1]
        return try NIOSSLContext(configuration: configuration)
    }
}
