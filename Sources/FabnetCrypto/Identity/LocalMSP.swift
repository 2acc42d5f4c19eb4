import Foundation
import X509

/// An MSP folder as `fabnet crypto generate` (or cryptogen) writes it: `signcerts/`, `keystore/`,
/// `cacerts/`, `tlscacerts/` and the NodeOUs `config.yaml`.
public struct LocalMSP: Sendable {
    public let mspID: String
    /// Present when the folder holds a key and certificate (a node's or user's MSP).
    public let signingIdentity: SigningIdentity?
    /// PEM texts of the org's signing CAs and TLS CAs.
    public let caCertificatesPEM: [String]
    public let tlsCACertificatesPEM: [String]
    public let nodeOUs: Bool

    /// Reads `directory`. Missing `cacerts/` is an error; a missing key or certificate only means
    /// the MSP cannot sign (an org's verifying MSP).
    public static func load(directory: URL, mspID: String) throws -> LocalMSP {
        let caCertificates = pemFiles(in: directory.appendingPathComponent("cacerts"))
        guard !caCertificates.isEmpty else {
            throw IdentityError.missingFile(path: directory.appendingPathComponent("cacerts").path)
        }
        let certificates = signingCertificates(in: directory)
        let keys = pemFiles(in: directory.appendingPathComponent("keystore"))
        var signing: SigningIdentity?
        if let certificate = certificates.first {
            guard let key = keys.first else {
                throw IdentityError.missingFile(path: directory.appendingPathComponent("keystore/priv_sk").path)
            }
            signing = try SigningIdentity(mspID: mspID, certificatePEM: certificate, privateKeyPEM: key)
        }
        let config = (try? String(contentsOf: directory.appendingPathComponent("config.yaml"), encoding: .utf8)) ?? ""
        return LocalMSP(
            mspID: mspID, signingIdentity: signing, caCertificatesPEM: caCertificates,
            tlsCACertificatesPEM: pemFiles(in: directory.appendingPathComponent("tlscacerts")),
            nodeOUs: config.contains("Enable: true"))
    }

    /// The org's roots as a validator needs them.
    public func organizationRoots() throws -> OrganizationRoots {
        try OrganizationRoots(mspID: mspID, rootCertificatesPEM: caCertificatesPEM, nodeOUs: nodeOUs)
    }

    /// The PEM texts of an MSP folder's `signcerts/`, sorted by file name: the first is the
    /// node's enrollment certificate, whose text its PKI-ID is made of (`SigningIdentity.pkiID`).
    public static func signingCertificates(in directory: URL) -> [String] {
        pemFiles(in: directory.appendingPathComponent("signcerts"))
    }

    /// The text of every file in a folder, sorted by name (empty when the folder is missing).
    static func pemFiles(in directory: URL) -> [String] {
        let names = ((try? FileManager.default.contentsOfDirectory(atPath: directory.path)) ?? []).sorted()
        return names.compactMap { try? String(contentsOf: directory.appendingPathComponent($0), encoding: .utf8) }
    }
}
